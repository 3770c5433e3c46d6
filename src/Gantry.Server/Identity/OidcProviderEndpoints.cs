using Microsoft.Extensions.Options;

namespace Gantry.Server.Identity;

/// <summary>An OpenID Connect provider people may sign in with from the command line.</summary>
public sealed record OidcProviderResponse(string Name, string Authority, string ClientId, string Audience);

/// <summary>
/// <c>GET /api/v1/auth/providers</c>: the configured issuers that have a CLI client, so <c>gantry login --oidc</c>
/// knows where to run the device authorization flow. Public: it holds no secret (the client is a public one).
/// </summary>
public static class OidcProviderEndpoints
{
    public static IEndpointRouteBuilder MapOidcProviderEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/auth/providers", (IOptions<AuthOptions> options) => TypedResults.Ok(options.Value.Oidc.Issuers
                .Where(i => !string.IsNullOrEmpty(i.CliClientId))
                .Select(i => new OidcProviderResponse(i.Name, i.Authority.TrimEnd('/'), i.CliClientId!, i.Audience))
                .ToList()))
            .WithTags("Auth").WithName("ListOidcProviders")
            .WithSummary("The OpenID Connect providers the CLI can sign in with (device authorization flow): authority, public client id, audience.")
            .AllowAnonymous();
        return endpoints;
    }
}
