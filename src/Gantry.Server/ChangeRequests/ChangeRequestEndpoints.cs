using System.Security.Claims;
using System.Text.Json.Nodes;
using Gantry.Core.Validation;
using Gantry.Data.ChangeRequests;
using Gantry.Server.Audit;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Gantry.Server.Hosting;

namespace Gantry.Server.ChangeRequests;

/// <summary>A change request as the API shows it.</summary>
public sealed record ChangeRequestResponse(
    string Id,
    string Kind,
    string Pool,
    string Target,
    string Operation,
    JsonNode? Payload,
    string Summary,
    string Status,
    string RequestedBy,
    string RequestedByName,
    DateTimeOffset RequestedAt,
    string? DecidedBy,
    string? DecidedByName,
    DateTimeOffset? DecidedAt,
    string? Comment,
    string? Revision,
    string? Problem,
    int Version)
{
    public static ChangeRequestResponse From(ChangeRequestRecord r) => new(
        r.Id, r.Kind, r.Pool, r.Target, r.Operation, r.Payload is null ? null : JsonNode.Parse(r.Payload), r.Summary, r.Status,
        r.RequestedBy, r.RequestedByName, r.RequestedAt, r.DecidedBy, r.DecidedByName, r.DecidedAt, r.DecisionComment,
        r.ResultRevision, r.Problem, r.Version);
}

public sealed record ChangeRequestPage(IReadOnlyList<ChangeRequestResponse> Items, string? Next);

/// <summary>The body of <c>POST /api/v1/change-requests</c>.</summary>
/// <remarks>
/// <c>payload</c> (not needed to delete) and <c>summary</c> default to null so the OpenAPI document does not call them
/// required: the server makes a summary when none is given. The other fields are checked by the service, which names
/// every missing one in one answer.
/// </remarks>
public sealed record CreateChangeRequest(string? Kind, string? Pool, string? Target, string? Operation, JsonNode? Payload = null, string? Summary = null);

/// <summary>The optional body of approve and reject.</summary>
public sealed record ChangeRequestDecision(string? Comment);

/// <summary>
/// <c>/api/v1/change-requests</c>: changes that wait for a second person. Members of a pool see its requests;
/// its administrators (not the requester) approve, which applies the change, or reject.
/// </summary>
public static class ChangeRequestEndpoints
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapChangeRequestEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/change-requests").WithTags("Change requests").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        group.MapGet("/", ListAsync).WithName("ListChangeRequests")
            .WithSummary("Lists the change requests of the caller's pools, newest first (filters: status, kind, pool, target; paged by id).");
        group.MapGet("/{id}", GetAsync).WithName("GetChangeRequest").WithSummary("Gets a change request with its payload and decision.");
        group.MapPost("/", CreateAsync).WithName("CreateChangeRequest")
            .WithSummary("Proposes a change (kind, pool, target, operation, payload); the handler of the kind validates it.");
        group.MapPost("/{id}/approve", ApproveAsync).WithName("ApproveChangeRequest")
            .WithSummary("Approves an open request and applies it; needs the admin role in its pool and someone other than the requester.");
        group.MapPost("/{id}/reject", RejectAsync).WithName("RejectChangeRequest")
            .WithSummary("Rejects an open request (a pool admin), or withdraws it (its requester).");
        return endpoints;
    }

    internal static async Task<Ok<ChangeRequestPage>> ListAsync(
        ClaimsPrincipal user, ChangeRequestService service, HttpContext context,
        string? status = null, string? kind = null, string? pool = null, string? target = null, string? before = null, int limit = 100)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            throw ValidationFailedException.For("limit", $"must be between 1 and {MaxPageSize}");
        }

        if (status is not null && !ChangeRequestStatuses.All.Contains(status, StringComparer.Ordinal))
        {
            throw ValidationFailedException.For("status", $"must be one of: {string.Join(", ", ChangeRequestStatuses.All)}");
        }

        var query = new ChangeRequestQuery { Status = status, Kind = kind, Pool = pool, Target = target, Before = before, Limit = limit + 1 };
        var rows = await service.ListAsync(user.ToPrincipal(), query, context.RequestAborted);
        var items = rows.Take(limit).Select(ChangeRequestResponse.From).ToList();
        return TypedResults.Ok(new ChangeRequestPage(items, rows.Count > limit ? items[^1].Id : null));
    }

    internal static async Task<Results<Ok<ChangeRequestResponse>, ProblemHttpResult>> GetAsync(
        string id, ClaimsPrincipal user, ChangeRequestService service, HttpContext context)
    {
        var request = await service.FindAsync(id, user.ToPrincipal(), context.RequestAborted);
        return request is null
            ? AccessDecisionResults.NotFound($"Change request {id} does not exist.")
            : TypedResults.Ok(ChangeRequestResponse.From(request));
    }

    internal static async Task<Created<ChangeRequestResponse>> CreateAsync(
        CreateChangeRequest body, ClaimsPrincipal user, ChangeRequestService service, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var draft = new ChangeRequestDraft
        {
            Kind = body.Kind ?? "",
            Pool = body.Pool ?? "",
            Target = body.Target ?? "",
            Operation = body.Operation ?? "",
            Payload = body.Payload,
            Summary = body.Summary,
        };
        var created = await service.CreateAsync(draft, principal, context.RequestAborted);
        await audit.RecordAsync(context, principal, AuditActions.ChangeRequestCreated, created.Pool, Describe(created), created.Summary);
        return TypedResults.Created($"/api/v1/change-requests/{created.Id}", ChangeRequestResponse.From(created));
    }

    internal static async Task<Ok<ChangeRequestResponse>> ApproveAsync(
        string id, ClaimsPrincipal user, ChangeRequestService service, AuditLog audit, HttpContext context,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ChangeRequestDecision? body = null)
    {
        var principal = user.ToPrincipal();
        var outcome = await service.ApproveAsync(id, principal, body?.Comment, context.RequestAborted);
        await audit.RecordEventAsync(context, principal.Id, principal.Name, principal.Kind.ToString(), AuditActions.ChangeRequestApproved,
            outcome.Status == ChangeRequestStatuses.Applied ? AuditOutcomes.Success : AuditOutcomes.Failure,
            outcome.Pool, Describe(outcome), outcome.Status == ChangeRequestStatuses.Applied ? $"applied at {outcome.ResultRevision ?? "-"}" : outcome.Problem);
        return TypedResults.Ok(ChangeRequestResponse.From(outcome));
    }

    internal static async Task<Ok<ChangeRequestResponse>> RejectAsync(
        string id, ClaimsPrincipal user, ChangeRequestService service, AuditLog audit, HttpContext context,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ChangeRequestDecision? body = null)
    {
        var principal = user.ToPrincipal();
        var rejected = await service.RejectAsync(id, principal, body?.Comment, context.RequestAborted);
        await audit.RecordAsync(context, principal, AuditActions.ChangeRequestRejected, rejected.Pool, Describe(rejected), rejected.DecisionComment);
        return TypedResults.Ok(ChangeRequestResponse.From(rejected));
    }

    // The audit target names the request and what it changes: "change-request/<id> environment/prod-1".
    private static string Describe(ChangeRequestRecord request) => $"change-request/{request.Id} {request.Kind}/{request.Target}";
}
