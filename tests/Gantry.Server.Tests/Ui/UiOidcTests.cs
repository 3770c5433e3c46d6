using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>
/// Gantry (on 127.0.0.1) with the test issuer "lab" on <c>localhost</c>: another site, so the browser treats the
/// provider's redirect back as a cross-site navigation, as it would with a real provider. Its claim rules make the
/// group acme-operators operators of acme and acme-viewers viewers. Gantry's clock can be moved ahead (<see cref="Clock"/>).
/// </summary>
public sealed class OidcUiWorld : IAsyncLifetime
{
    public const string Provider = "lab";

    public ShiftedTimeProvider Clock { get; } = new();

    public TestOidcIssuer Issuer { get; private set; } = null!;

    public UiWorld World { get; } = new();

    public async Task InitializeAsync()
    {
        Issuer = await TestOidcIssuer.StartAsync("localhost");
        World.Factory
            .With("Auth:Oidc:Issuers:0:Name", Provider)
            .With("Auth:Oidc:Issuers:0:Authority", Issuer.Authority)
            .With("Auth:Oidc:Issuers:0:Audience", TestOidcIssuer.Audience)
            .With("Auth:Oidc:Issuers:0:RequireHttpsMetadata", "false")
            .With("Auth:Oidc:Issuers:0:WebClientId", TestOidcIssuer.WebClientId)
            .With("Auth:Oidc:Issuers:0:WebClientSecret", TestOidcIssuer.WebClientSecret)
            .With("Auth:Oidc:Issuers:0:Rules:0:Claim", "groups")
            .With("Auth:Oidc:Issuers:0:Rules:0:Value", "acme-operators")
            .With("Auth:Oidc:Issuers:0:Rules:0:Tenant", UiWorld.Tenant)
            .With("Auth:Oidc:Issuers:0:Rules:0:Role", "operator")
            .With("Auth:Oidc:Issuers:0:Rules:1:Claim", "groups")
            .With("Auth:Oidc:Issuers:0:Rules:1:Value", "acme-viewers")
            .With("Auth:Oidc:Issuers:0:Rules:1:Tenant", UiWorld.Tenant)
            .With("Auth:Oidc:Issuers:0:Rules:1:Role", "viewer")
            .WithServices(services => services.AddSingleton<TimeProvider>(Clock));
        await World.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await World.DisposeAsync();
        await Issuer.DisposeAsync();
    }
}

/// <summary>The system clock, moved ahead by <see cref="Offset"/>.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}

/// <summary>Signing in to the web UI through an OpenID Connect provider, in headless chromium.</summary>
[Collection(OneBrowser.Name)]
public sealed class UiOidcTests(Browser browser, OidcUiWorld fixture) : IClassFixture<OidcUiWorld>
{
    private static readonly string ScreenshotFolder = Environment.GetEnvironmentVariable("GANTRY_UI_SCREENSHOTS")
        ?? Path.Combine(AppContext.BaseDirectory, "ui-screenshots");

    private UiWorld World => fixture.World;

    private TestOidcIssuer Issuer => fixture.Issuer;

    [Fact]
    public async Task Signing_in_through_the_provider_shows_the_user_and_the_role_its_claim_rule_grants()
    {
        Issuer.BrowserUser = ("olga", ["acme-operators", "unrelated"]);
        var page = await StartAsync("/me");
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, "ui-login-1440.png"), FullPage = true });

        await SignInAtProviderAsync(page);

        // Back where the sign-in started, signed in: the session cookie went with the hop from the callback.
        await Expect(page).ToHaveURLAsync(new Regex("/me$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Who am I" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "lab/olga" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("External");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "acme operator" })).ToBeVisibleAsync();
        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "gantry_session");
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.True(session.HttpOnly);

        var logins = await World.Admin.GetAsync("/api/v1/audit?action=auth.login&actor=lab/olga").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(logins.EnumerateArray(), e => e.GetProperty("outcome").GetString() == "success"
            && e.GetProperty("detail").GetString() == $"web sign-in through issuer {OidcUiWorld.Provider}");

        // A page of the tenant the rule grants, with what an operator may do (change instances, not the tenant's settings).
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "History" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Scale" })).ToBeVisibleAsync();

        // Sign out ends the session on the server, as for local users.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        var replay = World.Factory.CreateClient();
        replay.DefaultRequestHeaders.Add("Cookie", $"gantry_session={session.Value}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/v1/auth/me")).StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_grant_shows_no_control_that_changes_anything()
    {
        Issuer.BrowserUser = ("vera", ["acme-viewers"]);
        var page = await StartAsync();
        await SignInAtProviderAsync(page);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = UiWorld.Instance, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "History" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Scale" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete instance" })).ToHaveCountAsync(0);
        var response = await page.GotoAsync($"/tenants/{UiWorld.Other}/instances");
        Assert.Equal(404, response!.Status);
        await page.Context.CloseAsync();
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "tampered state", "did not belong to a sign-in started here" },
        { "provider error", "The identity provider did not sign you in (access_denied)" },
        { "wrong nonce", "could not be verified" },
        { "wrong audience", "could not be verified" },
        { "unsigned ID token", "could not be verified" },
        { "expired ID token", "could not be verified" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_sign_in_says_why_and_signs_nobody_in(string flaw, string words)
    {
        Issuer.BrowserUser = ("mallory", ["acme-operators"]);
        Issuer.TamperState = flaw == "tampered state";
        Issuer.RefuseWith = flaw == "provider error" ? "access_denied" : null;
        Issuer.IdTokenChange = flaw switch
        {
            "wrong nonce" => d => d.Claims["nonce"] = "not-the-nonce",
            "wrong audience" => d => d.Audience = TestOidcIssuer.Audience,
            "unsigned ID token" => d => d.SigningCredentials = null,
            "expired ID token" => d => (d.IssuedAt, d.NotBefore, d.Expires) = (DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1)),
            _ => null,
        };
        try
        {
            var page = await StartAsync();
            await SignInAtProviderAsync(page);

            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(words);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "gantry_session");
            await page.GotoAsync("/me");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
            await page.Context.CloseAsync();
            var refusals = await World.Admin.GetAsync("/api/v1/audit?action=auth.login").ExpectAsync(HttpStatusCode.OK);
            Assert.Contains(refusals.EnumerateArray(), e => e.GetProperty("outcome").GetString() == "failure"
                && e.GetProperty("detail").GetString()!.StartsWith($"web sign-in through issuer {OidcUiWorld.Provider}: ", StringComparison.Ordinal));
        }
        finally
        {
            (Issuer.TamperState, Issuer.RefuseWith, Issuer.IdTokenChange) = (false, null, null);
        }
    }

    [Fact]
    public async Task A_sign_in_that_waits_too_long_at_the_provider_is_refused_as_expired()
    {
        Issuer.BrowserUser = ("slow", ["acme-operators"]);
        var page = await StartAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Sign in with {OidcUiWorld.Provider}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Test provider" })).ToBeVisibleAsync();
        fixture.Clock.Offset = TimeSpan.FromMinutes(11);
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The sign-in took too long and expired.");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "gantry_session");
        }
        finally
        {
            fixture.Clock.Offset = TimeSpan.Zero;
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_callback_without_a_flow_started_here_is_refused_without_a_session()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(World.BaseUrl) };
        foreach (var query in new[] { "?code=abc&state=forged", "?code=abc", "?error=access_denied&state=forged" })
        {
            var response = await client.GetAsync($"/signin-oidc/{OidcUiWorld.Provider}{query}");
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/login?error=state", response.Headers.Location?.OriginalString);
            Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("gantry_session=", StringComparison.Ordinal)));
        }

        // Starting needs the login page's antiforgery token: no cross-site form can send anyone to the provider.
        var start = await client.PostAsync($"/login/oidc/{OidcUiWorld.Provider}", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, start.StatusCode);
    }

    // The person picks the provider on /login and approves at the provider, whose page then sends them back.
    private static async Task SignInAtProviderAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = $"Sign in with {OidcUiWorld.Provider}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Test provider" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
    }

    private async Task<IPage> StartAsync(string path = "/")
    {
        var page = await (await World.NewContextAsync(browser)).NewPageAsync();
        await page.GotoAsync(path);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        return page;
    }
}
