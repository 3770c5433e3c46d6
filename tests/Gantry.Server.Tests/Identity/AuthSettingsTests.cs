using Gantry.Testing;
using System.Net;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Identity;

public sealed class AuthSettingsTests
{
    [Fact]
    public async Task A_bad_oidc_issuer_stops_the_start_naming_each_bad_key()
    {
        using var folder = new TempFolder("gantry-auth-settings");
        await using var server = ServerProcess.Start(["--data-dir", folder.Combine("data")], new Dictionary<string, string>
        {
            ["Auth__AccessTokenMinutes"] = "600",
            ["Auth__Oidc__Issuers__0__Name"] = "corp",
            ["Auth__Oidc__Issuers__0__Authority"] = "http://idp.example.com",
            ["Auth__Oidc__Issuers__0__Rules__0__Claim"] = "groups",
            ["Auth__Oidc__Issuers__0__Rules__0__Value"] = "ops",
            ["Auth__Oidc__Issuers__0__Rules__0__Tenant"] = "Not A Tenant",
            ["Auth__Oidc__Issuers__0__WebClientSecret"] = "a secret without its client",
            ["Auth__Oidc__Issuers__1__Name"] = "lab",
            ["Auth__Oidc__Issuers__1__Authority"] = "https://idp.example.com",
            ["Auth__Oidc__Issuers__1__Audience"] = "gantry",
            ["Auth__Oidc__Issuers__1__WebClientId"] = "gantry-web",
            ["Auth__Oidc__Issuers__1__WebScope"] = "profile email",
        });

        Assert.NotEqual(0, await server.WaitForExitAsync());

        var error = server.StandardError.Trim().Split('\n')[^1];
        Assert.StartsWith("gantry: cannot start:", error, StringComparison.Ordinal);
        Assert.Contains("Auth:AccessTokenMinutes", error, StringComparison.Ordinal);
        Assert.Contains("Auth:Oidc:Issuers:0:Authority", error, StringComparison.Ordinal);
        Assert.Contains("Auth:Oidc:Issuers:0:Audience", error, StringComparison.Ordinal);
        Assert.Contains("Auth:Oidc:Issuers:0:Rules:0", error, StringComparison.Ordinal);
        Assert.Contains("Auth:Oidc:Issuers:0:WebClientSecret", error, StringComparison.Ordinal);
        Assert.Contains("Auth:Oidc:Issuers:1:WebScope", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_platform_admin_cannot_demote_or_delete_themselves()
    {
        using var factory = new GantryServerFactory();
        var admin = factory.CreateClient().WithBearer((await factory.CreateClient().LoginAsync("admin", "test-admin-password")).GetProperty("access_token").GetString()!);
        var id = (await admin.GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK)).GetProperty("id").GetString();

        await admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/users/{id}", new { isPlatformAdmin = false }).ExpectAsync(HttpStatusCode.Conflict);
        await admin.DeleteAsync($"/api/v1/users/{id}").ExpectAsync(HttpStatusCode.Conflict);
    }
}
