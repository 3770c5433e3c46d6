using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// A hand-made OpenID Connect issuer on loopback: a discovery document and a JWKS with an RS256 key whose private
/// half the test holds, so it can sign tokens with deliberate flaws. Gantry finds the keys through discovery.
/// It also runs the authorization code flow with PKCE (RFC 7636) for the web client <see cref="WebClientId"/>: the
/// authorization endpoint shows a page where the person approves (so the redirect back is a navigation this site
/// starts, as after typing a password at a real provider), signs in <see cref="BrowserUser"/> and redirects back
/// with a code, which the token endpoint redeems once, for the same redirect URI, client secret and the verifier of
/// the challenge, with an ID token that carries the request's nonce.
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    public const string Audience = "gantry-oidc-test";
    public const string WebClientId = "gantry-web";
    public const string WebClientSecret = "web-client-secret";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);

    private TestOidcIssuer(WebApplication app, string authority, RsaSecurityKey key)
    {
        _app = app;
        Authority = authority;
        Key = key;
    }

    public string Authority { get; }

    public RsaSecurityKey Key { get; }

    /// <summary>Who signs in at the authorization endpoint, and the groups their ID token carries.</summary>
    public (string User, string[] Groups) BrowserUser { get; set; } = ("alice", []);

    /// <summary>When set, the authorization endpoint answers with this OAuth error instead of a code.</summary>
    public string? RefuseWith { get; set; }

    /// <summary>When set, the state sent back is not the one received, as when someone alters the answer.</summary>
    public bool TamperState { get; set; }

    /// <summary>Changes the ID token the token endpoint issues, to forge a flawed one.</summary>
    public Action<SecurityTokenDescriptor>? IdTokenChange { get; set; }

    /// <summary>
    /// Starts the issuer on <paramref name="host"/>: <c>localhost</c> makes it another site than Gantry on
    /// <c>127.0.0.1</c>, so a browser treats its redirects back as cross-site, as with a real provider.
    /// </summary>
    public static async Task<TestOidcIssuer> StartAsync(string host = "127.0.0.1")
    {
        var authority = $"http://{host}:{Gantry.Testing.Ports.Free()}";
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-rsa-1" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(authority);
        var app = builder.Build();
        var issuer = new TestOidcIssuer(app, authority, key);

        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = authority,
            ["jwks_uri"] = $"{authority}/jwks",
            ["authorization_endpoint"] = $"{authority}/authorize",
            ["token_endpoint"] = $"{authority}/token",
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["response_types_supported"] = new[] { "code", "token" },
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
        app.MapGet("/authorize", ApprovalPage);
        app.MapPost("/authorize", async (HttpRequest request) => issuer.Authorize(await request.ReadFormAsync()));
        app.MapPost("/token", issuer.RedeemAsync);
        await app.StartAsync();
        return issuer;
    }

    private static IResult ApprovalPage(HttpRequest request)
    {
        var fields = string.Concat(request.Query.Select(p =>
            $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(p.Key)}\" value=\"{WebUtility.HtmlEncode(p.Value.ToString())}\">"));
        return Results.Content($"""
            <!doctype html><html lang="en"><head><title>Test provider</title></head>
            <body><main><h1>Test provider</h1><form method="post" action="/authorize">{fields}<button type="submit">Approve</button></form></main></body></html>
            """, "text/html");
    }

    private IResult Authorize(IFormCollection query)
    {
        if (query["client_id"] != WebClientId || query["response_type"] != "code" || query["code_challenge_method"] != "S256"
            || string.IsNullOrEmpty(query["code_challenge"]) || !Uri.TryCreate(query["redirect_uri"], UriKind.Absolute, out var redirect))
        {
            return Results.BadRequest("bad authorization request");
        }

        var state = Uri.EscapeDataString(TamperState ? "x" + query["state"] : query["state"].ToString());
        if (RefuseWith is { } error)
        {
            return Results.Redirect($"{redirect.AbsoluteUri}?error={error}&state={state}");
        }

        var code = Guid.NewGuid().ToString("N");
        _codes[code] = new Grant(query["code_challenge"].ToString(), redirect.AbsoluteUri, query["nonce"].ToString(), BrowserUser.User, BrowserUser.Groups);
        return Results.Redirect($"{redirect.AbsoluteUri}?code={code}&state={state}");
    }

    private async Task<IResult> RedeemAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (clientId, secret) = (form["client_id"].ToString(), form["client_secret"].ToString());
        if (request.Headers.Authorization.ToString() is { } basic && basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic["Basic ".Length..])).Split(':', 2);
            (clientId, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }

        if (clientId != WebClientId || secret != WebClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var grant) || grant.RedirectUri != form["redirect_uri"]
            || grant.Challenge != Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))))
        {
            return Results.Json(new { error = "invalid_grant", error_description = "The code is invalid, used, or not for this verifier." }, statusCode: 400);
        }

        var idToken = CreateToken(grant.User, grant.Groups, descriptor =>
        {
            descriptor.Audience = WebClientId;
            descriptor.Claims["nonce"] = grant.Nonce;
            IdTokenChange?.Invoke(descriptor);
        });
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = CreateToken(grant.User, grant.Groups),
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["id_token"] = idToken,
        });
    }

    private sealed record Grant(string Challenge, string RedirectUri, string Nonce, string User, string[] Groups);

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
