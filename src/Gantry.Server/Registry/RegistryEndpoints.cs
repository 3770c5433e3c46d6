using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Registry;

/// <summary>The registry's address and the caller's own namespace in it, for <c>gantry deploy --local</c>.</summary>
public sealed record RegistryInfo(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("local_namespace")] string? LocalNamespace,
    [property: JsonPropertyName("local_retention_hours")] double LocalRetentionHours);

/// <summary>The token response of distribution docs/spec/auth/token.md: <c>token</c> and its OAuth 2.0 alias <c>access_token</c>.</summary>
public sealed record RegistryTokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("issued_at")] string IssuedAt);

/// <summary><c>/api/v1/registry</c>: Gantry as the registry's token server, and where a user pushes.</summary>
public static class RegistryEndpoints
{
    public const string TokenPath = "/api/v1/registry/token";

    public static IEndpointRouteBuilder MapRegistryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/registry").WithTags("Registry").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
        group.MapGet("/", GetInfo)
            .WithName("GetRegistry")
            .WithSummary("The configured registry and the caller's own -local namespace in it.");
        group.MapGet("/token", IssueToken)
            .WithName("IssueRegistryToken")
            .WithSummary("A registry bearer token (distribution token authentication) scoped to what the caller may do: push and pull in its own -local namespace, pull elsewhere.");
        group.MapGet("/sweeps/last", LastSweep)
            .WithName("GetLastRegistrySweep")
            .WithSummary("What the last -local retention sweep deleted (platform administrators).");
        group.MapPost("/sweeps", SweepNowAsync)
            .WithName("SweepRegistry")
            .WithSummary("Runs the -local retention sweep now and returns what it deleted (platform administrators).");
        return endpoints;
    }

    internal static Results<Ok<RegistryInfo>, ProblemHttpResult> GetInfo(ClaimsPrincipal user, IOptions<RegistryOptions> options, RegistryAccessPolicy policy)
    {
        var settings = options.Value;
        return settings.IsEnabled
            ? TypedResults.Ok(new RegistryInfo(settings.Url!, policy.OwnNamespace(user.ToPrincipal()), settings.LocalRetention.TotalHours))
            : NotConfigured();
    }

    internal static Results<Ok<RegistryTokenResponse>, ProblemHttpResult> IssueToken(
        [FromQuery] string? service, [FromQuery] string[]? scope, HttpContext context, ClaimsPrincipal user, IOptions<RegistryOptions> options, RegistryAccessPolicy policy, RegistryTokenSigner signer,
        TimeProvider time)
    {
        var settings = options.Value;
        if (!settings.IsEnabled)
        {
            return NotConfigured();
        }

        if (!string.IsNullOrEmpty(service) && service != settings.TokenServer.Service)
        {
            return TypedResults.Problem(
                title: "Unknown registry service.", detail: $"This token server serves '{settings.TokenServer.Service}'.", statusCode: StatusCodes.Status400BadRequest);
        }

        var principal = user.ToPrincipal();
        var granted = policy.Grant(principal, RegistryScope.ParseAll(scope ?? []));
        var token = signer.Sign(principal.Name, granted);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new RegistryTokenResponse(
            token, token, (int)signer.Lifetime.TotalSeconds, time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
    }

    internal static Results<Ok<RegistrySweepReport>, NoContent, ForbidHttpResult> LastSweep(ClaimsPrincipal user, RegistryRetentionSweep sweep) =>
        !user.ToPrincipal().IsPlatformAdmin ? TypedResults.Forbid()
        : sweep.LastReport is { } report ? TypedResults.Ok(report)
        : TypedResults.NoContent();

    internal static async Task<Results<Ok<RegistrySweepReport>, ForbidHttpResult, ProblemHttpResult>> SweepNowAsync(
        ClaimsPrincipal user, IOptions<RegistryOptions> options, RegistryRetentionSweep sweep, CancellationToken cancellationToken) =>
        !user.ToPrincipal().IsPlatformAdmin ? TypedResults.Forbid()
        : !options.Value.IsEnabled ? NotConfigured()
        : TypedResults.Ok(await sweep.SweepAsync(cancellationToken));

    private static ProblemHttpResult NotConfigured() =>
        TypedResults.Problem(title: "No registry is configured.", detail: "Set Registry:Url and Registry:TokenServer (docs/configuration.md).", statusCode: StatusCodes.Status404NotFound);
}
