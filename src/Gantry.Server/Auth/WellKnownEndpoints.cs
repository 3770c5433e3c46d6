using System.Security.Claims;
using System.Text.Json.Serialization;
using Gantry.Core.Identity;
using Gantry.Server.Audit;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Auth;

/// <summary>A public key in JWK form (RFC 7517): never a private parameter.</summary>
public sealed record PublicJsonWebKey(
    [property: JsonPropertyName("kty")] string KeyType,
    [property: JsonPropertyName("use")] string Use,
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("kid")] string KeyId,
    [property: JsonPropertyName("crv")] string Curve,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y);

public sealed record JsonWebKeySetResponse([property: JsonPropertyName("keys")] IReadOnlyList<PublicJsonWebKey> Keys);

/// <summary>The parts of OpenID Connect Discovery 1.0 §3 that a resource server needs to verify Gantry's tokens.</summary>
public sealed record DiscoveryDocument(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    [property: JsonPropertyName("subject_types_supported")] IReadOnlyList<string> SubjectTypesSupported,
    [property: JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string> SigningAlgorithms,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethods);

public sealed record SigningKeyResponse(string KeyId, DateTimeOffset CreatedAt);

/// <summary><c>/.well-known/jwks.json</c> and <c>/.well-known/openid-configuration</c>, and signing key rotation.</summary>
public static class WellKnownEndpoints
{
    public static IEndpointRouteBuilder MapWellKnownEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/.well-known").WithTags("Auth").AllowAnonymous();
        group.MapGet("/jwks.json", Jwks)
            .WithName("GetJsonWebKeySet")
            .WithSummary("The public keys that verify Gantry's access tokens, including retired keys whose tokens may still be valid.");
        group.MapGet("/openid-configuration", Discovery)
            .WithName("GetOpenIdConfiguration")
            .WithSummary("Where Gantry's keys and token endpoint are, for services that verify Gantry's tokens.");

        endpoints.MapPost("/api/v1/auth/signing-keys/rotate", RotateAsync)
            .WithTags("Auth")
            .RequireAuthorization()
            .AnswersProblems(StatusCodes.Status403Forbidden)
            .WithName("RotateSigningKey")
            .WithSummary("Platform administrators: makes a new signing key now; the old one stays published until its tokens expire.");
        return endpoints;
    }

    internal static Ok<JsonWebKeySetResponse> Jwks(SigningKeyStore keys, HttpContext context)
    {
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(new JsonWebKeySetResponse([.. keys.Published.Select(k =>
        {
            var parameters = k.SecurityKey.ECDsa.ExportParameters(includePrivateParameters: false);
            return new PublicJsonWebKey("EC", "sig", SigningKeyStore.Algorithm, k.KeyId, "P-256",
                Base64UrlEncoder.Encode(parameters.Q.X), Base64UrlEncoder.Encode(parameters.Q.Y));
        })]));
    }

    internal static Ok<DiscoveryDocument> Discovery(IOptions<AuthOptions> options, HttpRequest request)
    {
        var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}";
        return TypedResults.Ok(new DiscoveryDocument(
            options.Value.Issuer,
            $"{baseUrl}/.well-known/jwks.json",
            $"{baseUrl}/api/v1/auth/token",
            $"{baseUrl}/api/v1/auth/revoke",
            ["password", "refresh_token"],
            ["token"],
            ["public"],
            [SigningKeyStore.Algorithm],
            ["none"]));
    }

    internal static async Task<Results<Ok<SigningKeyResponse>, ProblemHttpResult>> RotateAsync(
        ClaimsPrincipal user, SigningKeyStore keys, AuditLog audit, HttpContext context)
    {
        // Like every other platform administration endpoint: a signed-in caller who is not an administrator is told
        // 403; there is nothing to hide, the endpoint is documented and the same for everyone.
        var principal = user.ToPrincipal();
        if (!principal.IsPlatformAdmin)
        {
            return AccessDecision.Forbidden.ToProblem();
        }

        if (keys.IsExternal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                detail: "Signing keys come from Auth:SigningKeysFolder; rotate by adding a newer key file to that Secret.");
        }

        var key = keys.Rotate();
        await audit.RecordAsync(context, principal, AuditActions.SigningKeyRotated, target: key.KeyId);
        return TypedResults.Ok(new SigningKeyResponse(key.KeyId, key.CreatedAt));
    }
}
