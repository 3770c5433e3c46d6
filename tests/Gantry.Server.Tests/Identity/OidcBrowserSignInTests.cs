using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Identity;

/// <summary>The start of the web UI's sign-in through a provider, without a browser.</summary>
public sealed partial class OidcBrowserSignInTests : IDisposable
{
    // Nothing listens there: the provider is down.
    private readonly GantryServerFactory _factory = new GantryServerFactory()
        .With("Auth:Oidc:Issuers:0:Name", "down")
        .With("Auth:Oidc:Issuers:0:Authority", $"http://127.0.0.1:{Gantry.Testing.Ports.Free()}")
        .With("Auth:Oidc:Issuers:0:Audience", "gantry")
        .With("Auth:Oidc:Issuers:0:RequireHttpsMetadata", "false")
        .With("Auth:Oidc:Issuers:0:WebClientId", "gantry-web");

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_provider_that_cannot_be_reached_sends_back_to_the_login_page_with_words_and_no_flow()
    {
        var client = _factory.CreateClient(new() { AllowAutoRedirect = false });
        var login = await (await client.GetAsync("/login")).Content.ReadAsStringAsync();
        Assert.Contains("Sign in with down", login, StringComparison.Ordinal);
        var token = AntiforgeryField().Match(login).Groups[1].Value;

        var start = await client.PostAsync("/login/oidc/down", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["ReturnUrl"] = "/me",
        }));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.Equal("/login?error=unavailable", start.Headers.Location?.OriginalString);
        Assert.False(start.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".AspNetCore.Correlation", StringComparison.Ordinal)));

        var page = await (await client.GetAsync(start.Headers.Location)).Content.ReadAsStringAsync();
        Assert.Contains("The identity provider could not be reached.", page, StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
