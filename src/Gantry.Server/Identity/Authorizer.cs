using Gantry.Core.Diagnostics;
using Gantry.Core.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Identity;

/// <summary>The one policy point: every endpoint asks it, and every list is filtered through it.</summary>
public interface IAuthorizer
{
    AccessDecision Decide(Principal principal, ResourceAction action, ResourceRef resource);

    IReadOnlyList<T> Filter<T>(Principal principal, IEnumerable<T> items, Func<T, ResourceRef> resourceOf);
}

internal sealed partial class Authorizer(ILogger<Authorizer> logger) : IAuthorizer
{
    public AccessDecision Decide(Principal principal, ResourceAction action, ResourceRef resource)
    {
        using var activity = GantryTracing.Source.StartActivity("gantry.authorize");
        var decision = AccessPolicy.Decide(principal, action, resource);
        activity?.SetTag("gantry.action", action.ToString()).SetTag("gantry.resource", resource.Kind).SetTag(GantryTracing.Tags.Outcome, decision.ToString());
        if (decision != AccessDecision.Allowed)
        {
            Log.Denied(logger, principal.Kind, principal.Id, action, resource.Kind, resource.Tenant ?? "-", resource.Name ?? "*", decision);
        }

        return decision;
    }

    public IReadOnlyList<T> Filter<T>(Principal principal, IEnumerable<T> items, Func<T, ResourceRef> resourceOf) =>
        [.. items.Where(item => AccessPolicy.Allows(principal, ResourceAction.Read, resourceOf(item)))];

    private static partial class Log
    {
        [LoggerMessage(EventId = 3301, Level = LogLevel.Information,
            Message = "Denied {Kind} {PrincipalId}: {Action} {ResourceKind} {Tenant}/{Name} ({Decision})")]
        public static partial void Denied(ILogger logger, PrincipalKind kind, string principalId, ResourceAction action, string resourceKind, string tenant, string name, AccessDecision decision);
    }
}

/// <summary>Turns a refusal into the RFC 9457 answer the API gives for it.</summary>
public static class AccessDecisionResults
{
    public static ProblemHttpResult ToProblem(this AccessDecision decision) => decision switch
    {
        AccessDecision.Forbidden => TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.", detail: "Your role does not allow this."),
        _ => NotFound(),
    };

    /// <summary>The problem to answer when the policy refuses, or null when it allows.</summary>
    public static ProblemHttpResult? Refuse(this IAuthorizer authorizer, Principal principal, ResourceAction action, ResourceRef resource)
    {
        ArgumentNullException.ThrowIfNull(authorizer);
        var decision = authorizer.Decide(principal, action, resource);
        return decision == AccessDecision.Allowed ? null : decision.ToProblem();
    }

    public static ProblemHttpResult NotFound(string? detail = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: detail);
}
