using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// A hand-made OpenID Connect issuer on loopback: a discovery document and a JWKS with an RS256 key whose private
/// half the test holds, so it can sign tokens with deliberate flaws. Gantry finds the keys through discovery.
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    public const string Audience = "gantry-oidc-test";

    private readonly WebApplication _app;

    private TestOidcIssuer(WebApplication app, string authority, RsaSecurityKey key)
    {
        _app = app;
        Authority = authority;
        Key = key;
    }

    public string Authority { get; }

    public RsaSecurityKey Key { get; }

    public static async Task<TestOidcIssuer> StartAsync()
    {
        var authority = $"http://127.0.0.1:{Gantry.Testing.Ports.Free()}";
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-rsa-1" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(authority);
        var app = builder.Build();
        var issuer = new TestOidcIssuer(app, authority, key);

        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = authority,
            ["jwks_uri"] = $"{authority}/jwks",
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
