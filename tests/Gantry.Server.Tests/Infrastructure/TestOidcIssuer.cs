using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// A small OpenID Connect provider on loopback, started by the test: a discovery document, a JWKS with an RS256 key,
/// and a token endpoint (client_credentials) that issues JWT access tokens with a <c>groups</c> claim. Gantry finds
/// everything through discovery, as it would with Keycloak or Auth0.
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    public const string Audience = "gantry-oidc-test";
    public const string ClientSecret = "test-client-secret";

    private readonly WebApplication _app;

    private TestOidcIssuer(WebApplication app, string authority, RsaSecurityKey key)
    {
        _app = app;
        Authority = authority;
        Key = key;
    }

    public string Authority { get; }

    public RsaSecurityKey Key { get; }

    /// <summary>Clients the token endpoint knows: client id → groups its tokens carry.</summary>
    public static Dictionary<string, string[]> Clients { get; } = new(StringComparer.Ordinal)
    {
        ["ci-operators"] = ["tenant-ops", "unrelated"],
        ["platform-team"] = ["gantry-admins"],
        ["nobody"] = [],
    };

    public static async Task<TestOidcIssuer> StartAsync()
    {
        var authority = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-rsa-1" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(authority);
        var app = builder.Build();
        var issuer = new TestOidcIssuer(app, authority, key);

        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = authority,
            ["jwks_uri"] = $"{authority}/jwks",
            ["token_endpoint"] = $"{authority}/token",
            ["grant_types_supported"] = new[] { "client_credentials" },
            ["response_types_supported"] = new[] { "token" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/jwks", () =>
        {
            var parameters = key.Rsa.ExportParameters(false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new { kty = "RSA", use = "sig", alg = "RS256", kid = key.KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
                },
            });
        });
        app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var clientId = form["client_id"].ToString();
            if (form["grant_type"] != "client_credentials" || !Clients.TryGetValue(clientId, out var groups) || form["client_secret"] != ClientSecret)
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: 400);
            }

            return Results.Json(new { access_token = issuer.CreateToken(clientId, groups), token_type = "Bearer", expires_in = 300 });
        });
        await app.StartAsync();
        return issuer;
    }

    public string CreateToken(string subject, string[] groups, Action<SecurityTokenDescriptor>? change = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["preferred_username"] = subject, ["groups"] = groups },
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
