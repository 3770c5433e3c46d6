using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gantry.Core.Identity;
using Gantry.Server.Identity;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Tests.Identity;

/// <summary>Forged and broken access tokens: every one is refused with a 401 problem, never a 200 or a 500.</summary>
public sealed class JwtAttackTests : IDisposable
{
    private readonly GantryServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private SigningKey Key => _factory.Services.GetRequiredService<SigningKeyStore>().Current;

    private string AdminId
    {
        get
        {
            var users = _factory.Services.GetRequiredService<Gantry.Data.Users.UserRepository>();
            return users.FindByUsernameAsync("admin").GetAwaiter().GetResult()!.Id;
        }
    }

    private string Token(Action<SecurityTokenDescriptor>? change = null, SigningCredentials? credentials = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = "gantry",
            Audience = "gantry-api",
            TokenType = "at+jwt",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = AdminId, ["name"] = "admin", ["platform_admin"] = true },
            SigningCredentials = credentials ?? new SigningCredentials(Key.SecurityKey, SecurityAlgorithms.EcdsaSha256),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private async Task AssertUnauthorizedAsync(string token)
    {
        var response = await _factory.CreateClient().WithBearer(token).GetAsync("/api/v1/tenants");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task A_well_formed_token_is_accepted_so_the_attacks_below_fail_for_their_flaw()
    {
        var response = await _factory.CreateClient().WithBearer(Token()).GetAsync("/api/v1/tenants");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Alg_none_is_rejected()
    {
        var payload = Token().Split('.')[1];
        await AssertUnauthorizedAsync($"{Base64Url("""{"alg":"none","typ":"at+jwt"}""")}.{payload}.");
    }

    [Fact]
    public async Task Hs256_signed_with_the_public_key_is_rejected()
    {
        var publicPem = Key.SecurityKey.ECDsa.ExportSubjectPublicKeyInfoPem();
        var hmacKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(publicPem)) { KeyId = Key.KeyId };
        await AssertUnauthorizedAsync(Token(credentials: new SigningCredentials(hmacKey, SecurityAlgorithms.HmacSha256)));
    }

    [Fact]
    public async Task An_expired_token_is_rejected() =>
        await AssertUnauthorizedAsync(Token(d =>
        {
            d.IssuedAt = DateTime.UtcNow.AddHours(-2);
            d.NotBefore = DateTime.UtcNow.AddHours(-2);
            d.Expires = DateTime.UtcNow.AddHours(-1);
        }));

    [Fact]
    public async Task A_token_not_yet_valid_is_rejected() =>
        await AssertUnauthorizedAsync(Token(d =>
        {
            d.NotBefore = DateTime.UtcNow.AddHours(1);
            d.Expires = DateTime.UtcNow.AddHours(2);
        }));

    [Fact]
    public async Task A_jwt_of_another_type_is_rejected() => await AssertUnauthorizedAsync(Token(d => d.TokenType = "JWT"));

    [Fact]
    public async Task A_wrong_issuer_is_rejected() => await AssertUnauthorizedAsync(Token(d => d.Issuer = "someone-else"));

    [Fact]
    public async Task A_wrong_audience_is_rejected() => await AssertUnauthorizedAsync(Token(d => d.Audience = "another-api"));

    [Fact]
    public async Task An_unknown_kid_is_rejected()
    {
        var stranger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "unknown-kid" };
        await AssertUnauthorizedAsync(Token(credentials: new SigningCredentials(stranger, SecurityAlgorithms.EcdsaSha256)));
    }

    [Fact]
    public async Task A_known_kid_with_another_keys_signature_is_rejected()
    {
        var stranger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = Key.KeyId };
        await AssertUnauthorizedAsync(Token(credentials: new SigningCredentials(stranger, SecurityAlgorithms.EcdsaSha256)));
    }

    [Fact]
    public async Task A_tampered_payload_is_rejected()
    {
        var parts = Token(d => d.Claims = new Dictionary<string, object> { ["sub"] = AdminId, ["name"] = "admin" }).Split('.');
        var forged = Base64Url($$"""{"sub":"{{AdminId}}","name":"admin","platform_admin":true,"iss":"gantry","aud":"gantry-api","exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}""");
        await AssertUnauthorizedAsync($"{parts[0]}.{forged}.{parts[2]}");
    }

    [Fact]
    public async Task A_token_from_an_issuer_that_is_not_configured_is_rejected()
    {
        var rsa = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "evil" };
        await AssertUnauthorizedAsync(Token(d => d.Issuer = "https://evil.example", new SigningCredentials(rsa, SecurityAlgorithms.RsaSha256)));
    }

    [Fact]
    public async Task Garbage_and_empty_bearer_values_are_rejected()
    {
        await AssertUnauthorizedAsync("not-a-token");
        await AssertUnauthorizedAsync("a.b.c");
        await AssertUnauthorizedAsync("gantry_ak_not-a-real-key");
    }

    [Fact]
    public async Task A_token_of_a_deleted_user_stops_working()
    {
        var service = _factory.Services.GetRequiredService<TokenService>();
        var admin = _factory.CreateClient().WithBearer(Token());
        var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = "short-lived", password = IdentityWorld.Password }).ExpectAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        var token = service.CreateAccessToken(new Principal { Id = id, Name = "short-lived", Kind = PrincipalKind.User });
        await _factory.CreateClient().WithBearer(token).GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK);

        await admin.DeleteAsync($"/api/v1/users/{id}").ExpectAsync(HttpStatusCode.NoContent);

        await AssertUnauthorizedAsync(token);
    }

    [Fact]
    public async Task A_jku_header_pointing_elsewhere_is_not_followed()
    {
        // RFC 7515 §4.1.2: jku names where to fetch the key. Gantry trusts only its own key set, so a token signed by
        // a stranger's key that says where that key can be found is still signed by an unknown key.
        var stranger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "attacker-key" };
        await AssertUnauthorizedAsync(Token(d => d.AdditionalHeaderClaims = new Dictionary<string, object> { ["jku"] = "https://attacker.example/jwks.json" },
            new SigningCredentials(stranger, SecurityAlgorithms.EcdsaSha256)));

        // Gantry's own kid beside a jku does not make the stranger's signature good either.
        var withOurKid = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = Key.KeyId };
        await AssertUnauthorizedAsync(Token(d => d.AdditionalHeaderClaims = new Dictionary<string, object> { ["jku"] = "https://attacker.example/jwks.json" },
            new SigningCredentials(withOurKid, SecurityAlgorithms.EcdsaSha256)));
    }

    [Fact]
    public async Task A_kid_of_a_trusted_external_issuers_key_does_not_make_a_gantry_token()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        using var factory = new GantryServerFactory()
            .With("Auth:Oidc:Issuers:0:Name", "lab")
            .With("Auth:Oidc:Issuers:0:Authority", issuer.Authority)
            .With("Auth:Oidc:Issuers:0:Audience", TestOidcIssuer.Audience)
            .With("Auth:Oidc:Issuers:0:RequireHttpsMetadata", "false")
            .With("Auth:Oidc:Issuers:0:Rules:0:Claim", "groups")
            .With("Auth:Oidc:Issuers:0:Rules:0:Value", "gantry-admins")
            .With("Auth:Oidc:Issuers:0:Rules:0:PlatformAdmin", "true");
        var ours = factory.Services.GetRequiredService<SigningKeyStore>().Current;
        var admin = (await factory.Services.GetRequiredService<Gantry.Data.Users.UserRepository>().FindByUsernameAsync("admin"))!.Id;

        // The external issuer's key (its kid) signing what claims to be Gantry's own access token for the admin.
        var forged = issuer.CreateToken(admin, ["gantry-admins"], d =>
        {
            d.Issuer = "gantry";
            d.Audience = "gantry-api";
            d.TokenType = "at+jwt";
            d.Claims["platform_admin"] = true;
        });
        // And Gantry's kid on a token that claims the external issuer, signed by a stranger.
        var stranger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = ours.KeyId };
        var crossed = issuer.CreateToken("someone", ["gantry-admins"], d => d.SigningCredentials = new SigningCredentials(stranger, SecurityAlgorithms.EcdsaSha256));

        foreach (var token in new[] { forged, crossed })
        {
            var response = await factory.CreateClient().WithBearer(token).GetAsync("/api/v1/tenants");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // The issuer's genuine token is accepted, so the two above failed for their flaw.
        var genuine = await factory.CreateClient().WithBearer(issuer.CreateToken("someone", ["gantry-admins"])).GetAsync("/api/v1/tenants");
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    [Fact]
    public async Task An_access_token_of_a_revoked_login_stops_working()
    {
        var login = await _factory.CreateClient().LoginAsync("admin", GantryServerFactory.AdminPassword);
        var access = login.GetProperty("access_token").GetString()!;
        await _factory.CreateClient().WithBearer(access).GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK);

        await _factory.CreateClient().PostAsync("/api/v1/auth/revoke",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = login.GetProperty("refresh_token").GetString()! })).ExpectAsync(HttpStatusCode.OK);

        await AssertUnauthorizedAsync(access);
        var refreshed = await _factory.CreateClient().PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = login.GetProperty("refresh_token").GetString()!,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refreshed.StatusCode);
    }
}
