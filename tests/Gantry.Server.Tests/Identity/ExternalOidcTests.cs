using System.Net;
using System.Security.Cryptography;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Tests.Identity;

/// <summary>
/// Gantry accepting bearer tokens of external OpenID Connect providers found through discovery and JWKS: a real
/// OpenIddict server ("corp") for the client_credentials flow, and a hand-made issuer ("lab") whose key the test
/// holds, to forge flawed tokens. Two issuers also show that the token's <c>iss</c> picks the validator.
/// </summary>
public sealed class ExternalOidcTests : IAsyncLifetime
{
    private OpenIddictProvider _provider = null!;
    private TestOidcIssuer _issuer = null!;
    private GantryServerFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _provider = await OpenIddictProvider.StartAsync();
        _issuer = await TestOidcIssuer.StartAsync();
        _factory = new GantryServerFactory()
            .With("Auth:Oidc:Issuers:0:Name", "corp")
            .With("Auth:Oidc:Issuers:0:Authority", _provider.Authority)
            .With("Auth:Oidc:Issuers:0:Audience", OpenIddictProvider.Audience)
            .With("Auth:Oidc:Issuers:0:RequireHttpsMetadata", "false")
            .With("Auth:Oidc:Issuers:0:Rules:0:Claim", "groups")
            .With("Auth:Oidc:Issuers:0:Rules:0:Value", "tenant-ops")
            .With("Auth:Oidc:Issuers:0:Rules:0:Tenant", "demo")
            .With("Auth:Oidc:Issuers:0:Rules:0:Role", "operator")
            .With("Auth:Oidc:Issuers:0:Rules:1:Claim", "groups")
            .With("Auth:Oidc:Issuers:0:Rules:1:Value", "gantry-admins")
            .With("Auth:Oidc:Issuers:0:Rules:1:PlatformAdmin", "true")
            .With("Auth:Oidc:Issuers:1:Name", "lab")
            .With("Auth:Oidc:Issuers:1:Authority", _issuer.Authority)
            .With("Auth:Oidc:Issuers:1:Audience", TestOidcIssuer.Audience)
            .With("Auth:Oidc:Issuers:1:RequireHttpsMetadata", "false")
            .With("Auth:Oidc:Issuers:1:Rules:0:Claim", "groups")
            .With("Auth:Oidc:Issuers:1:Rules:0:Value", "tenant-ops")
            .With("Auth:Oidc:Issuers:1:Rules:0:Tenant", "demo")
            .With("Auth:Oidc:Issuers:1:Rules:0:Role", "viewer");
    }

    public async Task DisposeAsync()
    {
        _factory.Dispose();
        await _issuer.DisposeAsync();
        await _provider.DisposeAsync();
    }

    private Task<string> ClientCredentialsAsync(string clientId) => _provider.ClientCredentialsAsync(clientId);

    [Fact]
    public async Task A_group_claim_maps_to_a_tenant_role_and_the_user_is_recorded_just_in_time()
    {
        var client = _factory.CreateClient().WithBearer(await ClientCredentialsAsync("ci-operators"));

        var me = await client.GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("External", me.GetProperty("kind").GetString());
        Assert.Equal("corp/ci-operators", me.GetProperty("name").GetString());
        Assert.Equal("operator", me.GetProperty("tenants").GetProperty("demo").GetString());
        await client.GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.OK);
        await client.SendJsonAsync(HttpMethod.Patch, "/api/v1/tenants/demo", new { displayName = "x" }).ExpectAsync(HttpStatusCode.Forbidden);
        await client.GetAsync("/api/v1/tenants/demo/api-keys").ExpectAsync(HttpStatusCode.Forbidden);

        var admin = _factory.CreateClient().WithBearer((await _factory.CreateClient().LoginAsync("admin", "test-admin-password")).GetProperty("access_token").GetString()!);
        var users = await admin.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK);
        var recorded = Assert.Single(users.EnumerateArray(), u => u.GetProperty("username").GetString() == "corp/ci-operators");
        Assert.Equal("corp", recorded.GetProperty("externalIssuer").GetString());

        // A second request finds the same record rather than making another.
        await client.GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK);
        users = await admin.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK);
        Assert.Single(users.EnumerateArray(), u => u.GetProperty("username").GetString() == "corp/ci-operators");
    }

    [Fact]
    public async Task A_platform_admin_group_spans_all_tenants_and_no_group_sees_nothing()
    {
        var platform = _factory.CreateClient().WithBearer(await ClientCredentialsAsync("platform-team"));
        var me = await platform.GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK);
        Assert.True(me.GetProperty("isPlatformAdmin").GetBoolean());

        var nobody = _factory.CreateClient().WithBearer(await ClientCredentialsAsync("nobody"));
        await nobody.GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.NotFound);
        var tenants = await nobody.GetAsync("/api/v1/tenants").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, tenants.GetArrayLength());
    }

    [Fact]
    public async Task The_second_issuer_is_chosen_by_the_tokens_iss_and_maps_by_its_own_rules()
    {
        var client = _factory.CreateClient().WithBearer(_issuer.CreateToken("erin", ["tenant-ops"]));

        var me = await client.GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("lab/erin", me.GetProperty("name").GetString());
        Assert.Equal("viewer", me.GetProperty("tenants").GetProperty("demo").GetString());
    }

    [Fact]
    public async Task A_wrong_client_secret_gets_no_token_from_the_provider()
    {
        using var http = new HttpClient();
        var response = await http.PostAsync($"{_provider.Authority}/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "platform-team",
            ["client_secret"] = "guess",
        }));

        Assert.False(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Tokens_of_the_issuer_with_a_flaw_are_rejected()
    {
        var stranger = new RsaSecurityKey(RSA.Create(2048)) { KeyId = _issuer.Key.KeyId };
        var flawed = new[]
        {
            _issuer.CreateToken("mallory", ["tenant-ops"], d => d.Audience = "some-other-api"),
            _issuer.CreateToken("mallory", ["tenant-ops"], d =>
            {
                d.IssuedAt = DateTime.UtcNow.AddHours(-2);
                d.NotBefore = DateTime.UtcNow.AddHours(-2);
                d.Expires = DateTime.UtcNow.AddHours(-1);
            }),
            _issuer.CreateToken("mallory", ["tenant-ops"], d => d.SigningCredentials = new SigningCredentials(stranger, SecurityAlgorithms.RsaSha256)),

            // Right key, wrong issuer: an issuer's key only vouches for that issuer.
            _issuer.CreateToken("mallory", ["tenant-ops"], d => d.Issuer = _provider.Authority + "/"),
        };

        foreach (var token in flawed)
        {
            var response = await _factory.CreateClient().WithBearer(token).GetAsync("/api/v1/tenants/demo");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
