using Gantry.Server.Errors;
using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gantry.Core.Environments;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Data.Environments;
using Gantry.Data.ChangeRequests;
using Gantry.Server.Audit;
using Gantry.Server.ChangeRequests;
using Gantry.Server.Identity;
using Gantry.Server.Instances;
using Gantry.Server.Status;
using Gantry.Data.Status;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Gantry.Server.Hosting;

namespace Gantry.Server.Environments;

/// <summary>A list item, with the claim's own field names.</summary>
public sealed record EnvironmentSummary(
    [property: JsonPropertyName("environment_name")] string Name,
    [property: JsonPropertyName("environment_type")] string Type,
    [property: JsonPropertyName("environment_pool")] string Pool,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("deployment_method")] string DeploymentMethod,
    [property: JsonPropertyName("services")] IReadOnlyList<string> Services,
    [property: JsonPropertyName("service_versions"), Description(
        "Each service's resolved version (service name to tag), named and implicit services alike, as the environment's GET shows them; "
        + "null for an environment indexed before the index kept versions, until it is written again or reindexed.")]
    IReadOnlyDictionary<string, string>? ServiceVersions,
    [property: JsonPropertyName("creation_date")] DateTimeOffset CreationDate,
    [property: JsonPropertyName("expiration_date")] DateTimeOffset? ExpirationDate,
    [property: JsonPropertyName("revision")] string Revision)
{
    public static EnvironmentSummary From(EnvironmentRecord r) =>
        new(r.Name, r.Type, r.Pool, r.UserName, r.DeploymentMethod, r.ServiceNames, r.VersionsByService, r.CreatedAt, r.ExpiresAt, r.Revision);
}

/// <summary>A page of environments, and the claims in the bucket of the caller's pools that are invalid (phase <c>Invalid</c>, with the reasons).</summary>
public sealed record EnvironmentPage(IReadOnlyList<EnvironmentSummary> Items, string? Next, IReadOnlyList<InvalidBucketClaim> Invalid);

/// <summary>The body of <c>extend</c>: a new expiry, or none for "the type's default lifetime from now".</summary>
public sealed record ExtendRequest([property: JsonPropertyName("expiration_date")] DateTimeOffset? ExpirationDate);

/// <summary>
/// <c>/api/v1/environments</c>: the platform-service API. Claims in and out use the design's JSON field names; a
/// stored claim is returned byte for byte as stored, with its revision as ETag.
/// </summary>
public static class EnvironmentEndpoints
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapEnvironmentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/environments").WithTags("Environments").RequireAuthorization().AddEndpointFilter<PreconditionFailedFilter>().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);
        // The handler reads the claim itself (it is stored byte for byte), so the body is declared here.
        group.MapPost("/", CreateAsync).WithName("CreateEnvironment").DescribesBody<EnvironmentClaimDocument, RouteHandlerBuilder>()
            .WithSummary("Creates an environment from a claim: validated against its type policy, versions resolved, rendered and stored.");
        group.MapGet("/", ListAsync).WithName("ListEnvironments")
            .WithSummary("Lists the environments of the caller's pools (filters: type, pool, user, service, expiring_before, q; paged by name).");
        group.MapGet("/{name}", GetAsync).WithName("GetEnvironment").WithSummary("Gets an environment's stored claim, with each service's resolved version, and its deployment status.");
        group.MapGet("/{name}/events", EventsAsync).WithName("EnvironmentEvents").WithSummary("The environment's status timeline, newest first: the engines' reports on its services.");
        group.MapPatch("/{name}", PatchAsync).WithName("PatchEnvironment")
            .WithSummary("Changes services and versions (a JSON merge patch of services) or deploy_only_specified; versions are resolved again.");
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteEnvironment").WithSummary("Removes an environment: its claim and manifests.");
        group.MapPost("/{name}/extend", ExtendAsync).WithName("ExtendEnvironment")
            .WithSummary("Moves an expiring environment's expiry (to expiration_date, or by the type's default lifetime), within the type's maximum.");
        group.MapPost("/{name}/refresh", RefreshAsync).WithName("RefreshEnvironment")
            .WithSummary("Resolves every version constraint again, picking up newer matching tags.");
        return endpoints;
    }

    internal static async Task<Results<Created<JsonNode>, Accepted<ChangeRequestResponse>, ProblemHttpResult>> CreateAsync(
        ClaimsPrincipal user, IAuthorizer authorizer, EnvironmentManager environments, ChangeRequestService changeRequests, AuditLog audit, HttpContext context) =>
        await CreateFromClaimAsync(await ReadBodyAsync(context), user, authorizer, environments, changeRequests, audit, context);

    /// <summary>Creates (or proposes) an environment from a claim's JSON bytes: the API's body, or the claim the UI's form makes.</summary>
    internal static async Task<Results<Created<JsonNode>, Accepted<ChangeRequestResponse>, ProblemHttpResult>> CreateFromClaimAsync(
        byte[] body, ClaimsPrincipal user, IAuthorizer authorizer, EnvironmentManager environments, ChangeRequestService changeRequests, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var request = EnvironmentJson.Parse(body);
        if (!ResourceName.IsDns1123Label(request.EnvironmentPool))
        {
            throw ValidationFailedException.For("environment_pool", "is required: the team pool (a tenant such as team1) that owns the environment");
        }

        if (authorizer.Refuse(principal, ResourceAction.Create, ResourceRef.InTenant(request.EnvironmentPool, ResourceKinds.Environment)) is { } refusal)
        {
            return refusal;
        }

        var claim = await environments.PlanNewAsync(principal, request, context.RequestAborted);
        if (environments.NeedsApproval(claim))
        {
            // Static (git) environments are never written directly: the request becomes a change request that an
            // administrator of the pool other than the caller approves.
            var proposal = await changeRequests.CreateAsync(new ChangeRequestDraft
            {
                Kind = EnvironmentManager.ChangeRequestKind,
                Pool = claim.EnvironmentPool,
                Target = claim.EnvironmentName,
                Operation = ChangeRequestOperations.Create,
                Payload = JsonNode.Parse(body),
            }, principal, context.RequestAborted);
            await audit.RecordAsync(context, principal, EnvironmentAuditActions.Proposed, claim.EnvironmentPool, claim.EnvironmentName,
                $"change request {proposal.Id}");
            return TypedResults.Accepted($"{EnvironmentManager.ChangeRequestsLink}/{proposal.Id}", ChangeRequestResponse.From(proposal));
        }

        var state = await environments.CreateAsync(claim, context.RequestAborted);
        await audit.RecordAsync(context, principal, EnvironmentAuditActions.Created, claim.EnvironmentPool, claim.EnvironmentName,
            $"{claim.EnvironmentType}, {Describe(claim)}");
        context.Response.Headers.ETag = ETags.From(state.Record.Revision);
        return TypedResults.Created($"/api/v1/environments/{claim.EnvironmentName}", JsonNode.Parse(state.Json)!);
    }

    internal static async Task<Ok<EnvironmentPage>> ListAsync(
        ClaimsPrincipal user, EnvironmentRepository index, BucketClaimProblems problems, HttpContext context,
        string? type = null, string? pool = null, [FromQuery(Name = "user")] string? userName = null, string? service = null,
        [FromQuery(Name = "expiring_before")] DateTimeOffset? expiringBefore = null, string? q = null, string? after = null, int limit = 100,
        [FromQuery(Name = "expires_before")] DateTimeOffset? expiresBefore = null)
    {
        // expires_before is the platform design's name for the filter; expiring_before came first and stays.
        expiringBefore ??= expiresBefore;
        if (limit is < 1 or > MaxPageSize)
        {
            throw ValidationFailedException.For("limit", $"must be between 1 and {MaxPageSize}");
        }

        // The permission filter is part of the query: a caller sees the pools they belong to, a platform admin all.
        var principal = user.ToPrincipal();
        var pools = principal.IsPlatformAdmin
            ? null
            : principal.Memberships.Keys.Where(t => AccessPolicy.Allows(principal, ResourceAction.Read, ResourceRef.InTenant(t, ResourceKinds.Environment))).ToList();
        var rows = await index.ListAsync(new EnvironmentQuery
        {
            Pools = pools,
            Type = type,
            Pool = pool,
            User = userName,
            Service = service,
            ExpiringBefore = expiringBefore,
            Text = string.IsNullOrWhiteSpace(q) ? null : q.Trim(),
            After = after,
            Limit = limit + 1,
        }, context.RequestAborted);
        var items = rows.Take(limit).Select(EnvironmentSummary.From).ToList();
        var invalid = problems.Of(pools).Where(p => (pool is null || p.Pool == pool) && (q is null || p.Name.Contains(q.Trim(), StringComparison.Ordinal))).ToList();
        return TypedResults.Ok(new EnvironmentPage(items, rows.Count > limit ? items[^1].Name : null, invalid));
    }

    internal static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> GetAsync(
        string name, ClaimsPrincipal user, IAuthorizer authorizer, EnvironmentManager environments, StatusEventRepository events,
        Registry.LocalImageWarnings localImages, HttpContext context)
    {
        var (record, refusal) = await FindAsync(name, ResourceAction.Read, user.ToPrincipal(), authorizer, environments, context);
        if (refusal is not null)
        {
            return refusal;
        }

        var state = await environments.GetAsync(record!, context.RequestAborted) ?? throw new EnvironmentNotFoundException(name);
        context.Response.Headers.ETag = ETags.From(state.Record.Revision);

        // The stored claim as it is, with where its services stand beside it.
        var answer = JsonNode.Parse(state.Json)!.AsObject();
        var latest = await events.LatestPerComponentAsync(record!.Pool, StatusTargetKinds.Environment, name, context.RequestAborted);
        answer["status"] = JsonSerializer.SerializeToNode(EnvironmentStatusResponse.From(state.Claim, latest), JsonSerializerOptions.Web);
        var warnings = await localImages.CurrentAsync(name, state.Claim, context.RequestAborted);
        if (warnings.Count > 0)
        {
            answer["warnings"] = JsonSerializer.SerializeToNode(warnings);
        }

        return TypedResults.Ok(answer);
    }

    internal static async Task<Results<Ok<StatusEventPage>, ProblemHttpResult>> EventsAsync(
        string name, ClaimsPrincipal user, IAuthorizer authorizer, EnvironmentManager environments, StatusEventRepository events, HttpContext context,
        long? before = null, int limit = 100)
    {
        var (record, refusal) = await FindAsync(name, ResourceAction.Read, user.ToPrincipal(), authorizer, environments, context);
        if (refusal is not null)
        {
            return refusal;
        }

        return TypedResults.Ok(await StatusEndpoints.PageAsync(events, record!.Pool, StatusTargetKinds.Environment, name, before, limit, context.RequestAborted));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PatchAsync(
        string name, JsonObject patch, ClaimsPrincipal user, IAuthorizer authorizer, EnvironmentManager environments, AuditLog audit,
        HttpContext context, [FromHeader(Name = "If-Match")] string? ifMatch = null)
    {
        var principal = user.ToPrincipal();
        var (record, refusal) = await FindAsync(name, ResourceAction.Update, principal, authorizer, environments, context);
        if (refusal is not null)
        {
            return refusal;
        }

        var state = await environments.PatchAsync(record!, patch, ifMatch, context.RequestAborted);
        await audit.RecordAsync(context, principal, EnvironmentAuditActions.Updated, record!.Pool, name, Describe(state.Claim));
        return Stored(state, context);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, ClaimsPrincipal user, IAuthorizer authorizer, EnvironmentManager environments, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var (record, refusal) = await FindAsync(name, ResourceAction.Delete, principal, authorizer, environments, context);
        if (refusal is not null)
        {
            return refusal;
        }

        await environments.DeleteAsync(record!, context.RequestAborted);
        await audit.RecordAsync(context, principal, EnvironmentAuditActions.Deleted, record!.Pool, name);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExtendAsync(
        string name, ExtendRequest? request, ClaimsPrincipal user, IAuthorizer authorizer, EnvironmentManager environments, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var (record, refusal) = await FindAsync(name, ResourceAction.Update, principal, authorizer, environments, context);
        if (refusal is not null)
        {
            return refusal;
        }

        var state = await environments.ExtendAsync(record!, request?.ExpirationDate, context.RequestAborted);
        await audit.RecordAsync(context, principal, EnvironmentAuditActions.Extended, record!.Pool, name,
            $"expires {state.Claim.ExpirationDate:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        return Stored(state, context);
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> RefreshAsync(
        string name, ClaimsPrincipal user, IAuthorizer authorizer, EnvironmentManager environments, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var (record, refusal) = await FindAsync(name, ResourceAction.Update, principal, authorizer, environments, context);
        if (refusal is not null)
        {
            return refusal;
        }

        var state = await environments.RefreshAsync(record!, context.RequestAborted);
        await audit.RecordAsync(context, principal, EnvironmentAuditActions.Refreshed, record!.Pool, name, Describe(state.Claim));
        return Stored(state, context);
    }

    // The index says which pool an environment is in; the policy then decides, so a caller outside the pool gets the
    // same 404 as for a name that does not exist.
    private static async Task<(EnvironmentRecord? Record, ProblemHttpResult? Refusal)> FindAsync(
        string name, ResourceAction action, Principal principal, IAuthorizer authorizer, EnvironmentManager environments, HttpContext context)
    {
        if (!ResourceName.IsDns1123Label(name) || await environments.FindAsync(name, context.RequestAborted) is not { } record)
        {
            throw new EnvironmentNotFoundException(name);
        }

        return (record, authorizer.Refuse(principal, action, ResourceRef.InTenant(record.Pool, ResourceKinds.Environment, name)));
    }

    private static FileContentHttpResult Stored(EnvironmentState state, HttpContext context)
    {
        context.Response.Headers.ETag = ETags.From(state.Record.Revision);
        return TypedResults.Bytes(state.Json, "application/json");
    }

    private static string Describe(EnvironmentClaim claim) =>
        string.Join(", ", claim.Services.Select(s => $"{s.Name} {s.Version} -> {s.ResolvedVersion}"));

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.Length == 0 ? throw ValidationFailedException.For("(document)", "the body is an environment claim (JSON)") : buffer.ToArray();
    }
}

/// <summary>What the audit log records for environments.</summary>
public static class EnvironmentAuditActions
{
    public const string Created = "environment.create";
    public const string Proposed = "environment.propose";
    public const string Updated = "environment.update";
    public const string Deleted = "environment.delete";
    public const string Extended = "environment.extend";
    public const string Refreshed = "environment.refresh";
    public const string Expired = "environment.expire";
    public const string Reindexed = "environments.reindex";
    public const string Migrated = "environment.migrate";
    public const string Rerendered = "environments.rerender";
    public const string Applied = "environment.apply";
    public const string Alerted = "environments.alert";
}
