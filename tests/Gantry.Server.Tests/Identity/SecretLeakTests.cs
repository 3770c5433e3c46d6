using System.Net;
using System.Text;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Server.Tests.Identity;

/// <summary>
/// Runs every flow that handles a secret (passwords, refresh tokens, API keys, access tokens) with logging at Trace,
/// then scans the SQLite files and every log line: none of the secrets may appear in clear.
/// </summary>
public sealed partial class SecretLeakTests : IDisposable
{
    private const string UserPassword = "leak-canary-password-4711";
    private readonly CapturingLoggerProvider _logs = new();
    private readonly GantryServerFactory _base = new GantryServerFactory()
        .With("Logging:LogLevel:Default", "Trace")
        .With("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
        .With("GANTRY_BOOTSTRAP_ADMIN_PASSWORD", "bootstrap-canary-password-0815");

    public void Dispose() => _base.Dispose();

    [Fact]
    public async Task No_password_refresh_token_or_api_key_is_stored_or_logged_in_clear()
    {
        using var factory = _base.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(_logs)));
        var secrets = new List<string> { UserPassword, "bootstrap-canary-password-0815", "changed-canary-password-9000" };
        var anonymous = factory.CreateClient();

        var adminLogin = await anonymous.LoginAsync("admin", "bootstrap-canary-password-0815");
        secrets.Add(adminLogin.GetProperty("refresh_token").GetString()!);
        var admin = factory.CreateClient().WithBearer(adminLogin.GetProperty("access_token").GetString()!);

        var user = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = "canary", password = UserPassword }).ExpectAsync(HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/demo/members/{id}", new { role = "admin" }).ExpectAsync(HttpStatusCode.OK);
        await anonymous.PasswordGrantAsync("canary", "wrong-canary-password-1234");
        secrets.Add("wrong-canary-password-1234");

        var login = await anonymous.LoginAsync("canary", UserPassword);
        secrets.Add(login.GetProperty("refresh_token").GetString()!);
        var refreshed = await anonymous.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = login.GetProperty("refresh_token").GetString()!,
        })).ExpectAsync(HttpStatusCode.OK);
        secrets.Add(refreshed.GetProperty("refresh_token").GetString()!);
        var canary = factory.CreateClient().WithBearer(refreshed.GetProperty("access_token").GetString()!);

        var key = await canary.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants/demo/api-keys", new { name = "canary-key", role = "viewer" }).ExpectAsync(HttpStatusCode.Created);
        var secret = key.GetProperty("key").GetString()!;
        secrets.Add(secret);
        await factory.CreateClient().WithBearer(secret).GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.OK);
        await canary.DeleteAsync($"/api/v1/tenants/demo/api-keys/{key.GetProperty("apiKey").GetProperty("id").GetString()}").ExpectAsync(HttpStatusCode.NoContent);
        await factory.CreateClient().WithBearer(secret).GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.Unauthorized);
        await canary.SendJsonAsync(HttpMethod.Patch, $"/api/v1/users/{id}", new { password = "changed-canary-password-9000" }).ExpectAsync(HttpStatusCode.OK);
        secrets.Add(refreshed.GetProperty("access_token").GetString()!);

        SqliteConnection.ClearAllPools();
        var stored = new StringBuilder();
        foreach (var file in Directory.GetFiles(factory.Server.Services.GetRequiredService<Gantry.Server.Hosting.GantryPaths>().DataDir, "gantry.db*"))
        {
            stored.Append(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
        }

        var logged = string.Join('\n', _logs.Lines);
        Assert.NotEmpty(_logs.Lines);
        Assert.Contains("Audit auth.login", logged, StringComparison.Ordinal);
        foreach (var value in secrets)
        {
            Assert.DoesNotContain(value, stored.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(value, logged, StringComparison.Ordinal);
        }

        // The part after the prefix is what makes the key: not even a long piece of it is stored.
        Assert.DoesNotContain(secret[20..], stored.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_generated_credential_webhook_secret_or_private_key_is_logged()
    {
        using var factory = _base.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(_logs)));
        var login = await factory.CreateClient().LoginAsync("admin", "bootstrap-canary-password-0815");
        var admin = factory.CreateClient().WithBearer(login.GetProperty("access_token").GetString()!);
        var secrets = new List<string>();

        // An instance's generated credentials, at creation and after a rotation (shown once each).
        var created = await admin.SendJsonAsync(HttpMethod.Put, "/api/v1/tenants/demo/instances/leak-canary", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);
        secrets.Add(created.GetProperty("credentials").GetProperty("api-key").GetString()!);
        var rotated = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants/demo/instances/leak-canary/credentials/rotate").ExpectAsync(HttpStatusCode.OK);
        secrets.Add(rotated.GetProperty("credentials").GetProperty("api-key").GetString()!);

        // A cluster's webhook secret, and an engine event signed with it.
        var cluster = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = "leak-eu", engine = "flux", tenants = new[] { "demo" }, notifyUrl = "http://127.0.0.1:9" })
            .ExpectAsync(HttpStatusCode.Created);
        secrets.Add(cluster.GetProperty("webhookSecret").GetString()!);
        var newSecret = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters/leak-eu/rotate-secret").ExpectAsync(HttpStatusCode.OK);
        secrets.Add(newSecret.GetProperty("webhookSecret").GetString()!);

        // The tenant's sealing private key, downloaded once.
        var key = await admin.GetAsync(new Uri("/api/v1/tenants/demo/sealing-key/private-key", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, key.StatusCode);
        // Whatever form it comes in, its long runs of base64 are the key.
        var download = await key.Content.ReadAsStringAsync();
        var runs = Base64Run().Matches(download).Select(m => m.Value).ToList();
        Assert.NotEmpty(runs);
        secrets.AddRange(runs);
        secrets.Add(login.GetProperty("access_token").GetString()!);

        var logged = string.Join('\n', _logs.Lines);
        Assert.Contains("leak-canary", logged, StringComparison.Ordinal);
        Assert.All(secrets, value => Assert.True(value.Length >= 16 && !logged.Contains(value, StringComparison.Ordinal), $"A secret of {value.Length} characters is in the logs."));
    }

    [System.Text.RegularExpressions.GeneratedRegex("[A-Za-z0-9+/]{40,}")]
    private static partial System.Text.RegularExpressions.Regex Base64Run();
}
