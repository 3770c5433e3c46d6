using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Cli.Tests;

/// <summary>
/// An OpenID Connect provider on loopback that offers the device authorization flow (RFC 8628): discovery, JWKS, a
/// device authorization endpoint and a token endpoint for the device_code and refresh_token grants. The test plays the
/// person in the browser with <see cref="Approve"/>; until then the token endpoint answers authorization_pending.
/// It also offers the authorization code flow with PKCE (RFC 7636): its authorization endpoint signs in
/// <see cref="BrowserUser"/> at once and redirects to the client's redirect URI with a code, which the token endpoint
/// redeems once, for the same redirect URI and the verifier of the challenge.
/// Access tokens live <see cref="TokenLifetime"/>, short enough that the CLI renews them with the refresh token.
/// </summary>
public sealed class TestDeviceIssuer : IAsyncDisposable
{
    public const string Audience = "gantry-cli-test";
    public const string ClientId = "gantry-cli";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(20);

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "device-rsa-1" };
    private readonly ConcurrentDictionary<string, string?> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Challenge, string RedirectUri, string User)> _codes = new(StringComparer.Ordinal);
    private string? _approvedFor;

    private TestDeviceIssuer(string authority)
    {
        Authority = authority;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(authority);
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = authority,
            ["jwks_uri"] = $"{authority}/jwks",
            ["token_endpoint"] = $"{authority}/token",
            ["device_authorization_endpoint"] = $"{authority}/device",
            ["authorization_endpoint"] = $"{authority}/authorize",
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var parameters = _key.Rsa.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = _key.KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) } } });
        });
        _app.MapPost("/device", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["client_id"] != ClientId)
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            }

            var device = Guid.NewGuid().ToString("N");
            _devices[device] = null;
            return Results.Json(new { device_code = device, user_code = "WDJB-MJHT", verification_uri = $"{authority}/activate", verification_uri_complete = $"{authority}/activate?user_code=WDJB-MJHT", expires_in = 60, interval = 1 });
        });
        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var query = request.Query;
            if (query["client_id"] != ClientId || query["response_type"] != "code" || query["code_challenge_method"] != "S256"
                || !Uri.TryCreate(query["redirect_uri"], UriKind.Absolute, out var redirect) || redirect.Host != "127.0.0.1")
            {
                return Results.BadRequest("bad authorization request");
            }

            var code = Guid.NewGuid().ToString("N");
            _codes[code] = (query["code_challenge"].ToString(), redirect.AbsoluteUri, BrowserUser);
            return Results.Redirect($"{redirect.AbsoluteUri}?code={code}&state={Uri.EscapeDataString(query["state"].ToString())}");
        });
        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            switch ((string?)form["grant_type"])
            {
                case "urn:ietf:params:oauth:grant-type:device_code":
                    if (!_devices.ContainsKey(form["device_code"].ToString()))
                    {
                        return Results.Json(new { error = "expired_token" }, statusCode: 400);
                    }

                    return _approvedFor is { } user && _devices.TryRemove(form["device_code"].ToString(), out _)
                        ? Results.Json(Tokens(user))
                        : Results.Json(new { error = "authorization_pending" }, statusCode: 400);
                case "authorization_code":
                    return _codes.TryRemove(form["code"].ToString(), out var grant) && grant.RedirectUri == form["redirect_uri"]
                        && grant.Challenge == Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(form["code_verifier"].ToString())))
                        ? Results.Json(Tokens(grant.User))
                        : Results.Json(new { error = "invalid_grant", error_description = "The code is invalid, used, or not for this verifier." }, statusCode: 400);
                case "refresh_token" when _refreshTokens.TryRemove(form["refresh_token"].ToString(), out var subject):
                    Refreshed++;
                    return Results.Json(Tokens(subject));
                default:
                    return Results.Json(new { error = "invalid_grant", error_description = "The refresh token is invalid or used." }, statusCode: 400);
            }
        });
    }

    public string Authority { get; }

    /// <summary>Who signs in at the authorization endpoint.</summary>
    public string BrowserUser { get; set; } = "alice";

    /// <summary>How many times a refresh token was used.</summary>
    public int Refreshed { get; private set; }

    public static async Task<TestDeviceIssuer> StartAsync()
    {
        var issuer = new TestDeviceIssuer($"http://127.0.0.1:{Gantry.Testing.Ports.Free()}");
        await issuer._app.StartAsync();
        return issuer;
    }

    /// <summary>The person approves the pending device code as <paramref name="user"/>.</summary>
    public void Approve(string user) => _approvedFor = user;

    private Dictionary<string, object> Tokens(string user)
    {
        var now = DateTime.UtcNow;
        var access = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + TokenLifetime,
            Claims = new Dictionary<string, object> { ["sub"] = user, ["jti"] = Guid.NewGuid().ToString("N"), ["preferred_username"] = user, ["groups"] = new[] { "team-acme" } },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
        var refresh = Guid.NewGuid().ToString("N");
        _refreshTokens[refresh] = user;
        return new() { ["access_token"] = access, ["token_type"] = "Bearer", ["expires_in"] = (int)TokenLifetime.TotalSeconds, ["refresh_token"] = refresh };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
