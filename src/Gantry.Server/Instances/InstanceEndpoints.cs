using Gantry.Server.Errors;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Core.Identity;
using Gantry.Core.Instances;
using Gantry.Core.Validation;
using Gantry.Data.Instances;
using Gantry.Server.Audit;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Gantry.Server.Status;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Instances;

/// <summary><c>/api/v1/tenants/{tenant}/instances</c>: tenants deploy, change and remove instances of offerings.</summary>
public static partial class InstanceEndpoints
{
    public const int MaxPageSize = 500;
    private const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapInstanceEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/tenants/{tenant}/instances").WithTags("Instances").RequireAuthorization().AddEndpointFilter<PreconditionFailedFilter>().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", ListAsync).WithName("ListInstances").WithSummary("Lists a tenant's instances with their deployment status (filters: offering, phase, prefix; paged by name).");
        group.MapGet("/{name}", GetAsync).WithName("GetInstance").WithSummary("Gets an instance: its accepted spec, chart version, revision (ETag) and status.");
        group.MapPut("/{name}", PutAsync).WithName("PutInstance").WithSummary("Creates or replaces an instance. If-Match makes it conditional, If-None-Match: * a create only; Idempotency-Key makes a retried create safe; ?dryRun=true answers what would change (InstanceDryRunResponse) and writes nothing.");
        group.MapPatch("/{name}", PatchAsync).WithName("PatchInstance").WithSummary("Changes an instance's values with a JSON merge patch (RFC 7396).");
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteInstance").WithSummary("Removes an instance: its files go in one change and the GitOps engine prunes it.");
        group.MapPost("/{name}/scale", ScaleAsync).WithName("ScaleInstance").WithSummary("Sets the instance's replica count, within the offering's schema and the tenant's quota.");
        group.MapPost("/{name}/credentials/rotate", RotateCredentialsAsync).WithName("RotateInstanceCredentials")
            .WithSummary("Makes new values for the instance's generated secrets (e.g. the Qdrant API key), seals and commits them, and shows them once.");
        group.MapGet("/{name}/history", HistoryAsync).WithName("InstanceHistory").WithSummary("The commits that changed the instance, newest first.");
        group.MapGet("/{name}/diff", DiffAsync).WithName("InstanceDiff")
            .WithSummary("What changed in the instance's files between two revisions: JSON per file, or one unified diff with Accept: text/x-diff.")
            .ProducesText(UnifiedDiff.MediaType)
            .AnswersProblems(StatusCodes.Status400BadRequest);
        group.MapPost("/{name}/rollback", RollbackAsync).WithName("RollbackInstance").WithSummary("Restores the instance as it was at a revision, as a new commit.");
        return endpoints;
    }

    internal static async Task<Results<Ok<InstancePage>, ProblemHttpResult>> ListAsync(
        string tenant, ClaimsPrincipal user, IAuthorizer authorizer, InstanceRepository index, HttpContext context,
        string? offering = null, string? phase = null, string? status = null, string? prefix = null, string? after = null, int limit = 100)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Instance)) is { } refusal)
        {
            return refusal;
        }

        if (limit is < 1 or > MaxPageSize)
        {
            throw ValidationFailedException.For("limit", $"must be between 1 and {MaxPageSize}");
        }

        // ?status= is the older name of ?phase=; either takes a phase in any case.
        var wanted = phase ?? status;
        var parsed = Core.Status.DeploymentPhase.Parse(wanted);
        if (wanted is not null && parsed is null)
        {
            throw ValidationFailedException.For(phase is null ? "status" : "phase", $"must be one of: {string.Join(", ", Core.Status.DeploymentPhase.All)}");
        }

        var rows = await index.ListAsync(tenant, new InstanceQuery { Offering = offering, Status = parsed, NamePrefix = prefix, After = after, Limit = limit + 1 }, context.RequestAborted);
        var items = rows.Take(limit).Select(InstanceSummary.From).ToList();
        return TypedResults.Ok(new InstancePage(items, rows.Count > limit ? items[^1].Name : null));
    }

    internal static async Task<Results<Ok<InstanceResponse>, ProblemHttpResult>> GetAsync(
        string tenant, string name, ClaimsPrincipal user, IAuthorizer authorizer, InstanceService instances, HttpContext context)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        var state = await instances.GetAsync(tenant, name, context.RequestAborted) ?? throw new InstanceNotFoundException(tenant, name);
        context.Response.Headers.ETag = ETags.From(state.Record.Revision);
        return TypedResults.Ok(InstanceResponse.From(state));
    }

    internal static async Task<IResult> PutAsync(
        string tenant, string name, InstanceRequest request, ClaimsPrincipal user, IAuthorizer authorizer, InstanceService instances,
        IdempotencyRepository idempotency, AuditLog audit, TimeProvider time, [AsParameters] WaitQuery waitQuery, HttpContext context,
        [FromHeader(Name = "If-Match")] string? ifMatch = null, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey = null,
        bool dryRun = false, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch = null)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Create, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        // RFC 9110 13.1.2: "*" makes the PUT a create only; an entity tag here would mean nothing for a PUT.
        var createOnly = ifNoneMatch?.Trim() switch
        {
            null => false,
            "*" => true,
            _ => throw ValidationFailedException.For("If-None-Match", "takes only * on a PUT: create the instance only if there is none of that name"),
        };

        if (dryRun)
        {
            return TypedResults.Ok(InstanceDryRunResponse.From(await instances.PlanPutAsync(principal, tenant, name, request, ifMatch, context.RequestAborted, createOnly)));
        }

        var wait = waitQuery.Parse();
        var requestHash = idempotencyKey is null ? null : Hash(tenant, name, request);
        if (idempotencyKey is not null)
        {
            if (idempotencyKey.Length is 0 or > 200)
            {
                throw ValidationFailedException.For(IdempotencyHeader, "must be 1 to 200 characters");
            }

            if (await idempotency.FindAsync(principal.Id, idempotencyKey, context.RequestAborted) is { } earlier)
            {
                if (earlier.RequestHash != requestHash)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                        title: "Idempotency-Key reused.", detail: "This Idempotency-Key was used for a different request; use a new key.");
                }

                if (earlier.ETag is not null)
                {
                    context.Response.Headers.ETag = ETags.From(earlier.ETag);
                }

                return Results.Content(earlier.ResponseBody, "application/json", Encoding.UTF8, earlier.StatusCode);
            }
        }

        var (state, created) = await instances.PutAsync(principal, tenant, name, request, ifMatch, context.RequestAborted, createOnly);
        var response = InstanceResponse.From(state);
        await audit.RecordAsync(context, principal, created ? "instance.create" : "instance.update", tenant, name, $"revision {state.Record.Revision}");
        if (idempotencyKey is not null)
        {
            await idempotency.SaveAsync(principal.Id, idempotencyKey, new IdempotentResponse
            {
                RequestHash = requestHash!,
                StatusCode = created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
                ResponseBody = JsonSerializer.Serialize(response.ForReplay(), JsonSerializerOptions.Web),
                ETag = state.Record.Revision,
            }, time.GetUtcNow(), context.RequestAborted);
        }

        context.Response.Headers.ETag = ETags.From(state.Record.Revision);
        var (answered, timedOut) = await WaitAsync(context, state, wait, waitQuery.Waiter);
        response = InstanceResponse.From(answered) with { Credentials = response.Credentials, CredentialsNotice = response.CredentialsNotice };
        NoStoreWhenShowingCredentials(context, response);
        return timedOut ? TypedResults.Accepted(Location(answered), response)
            : created ? TypedResults.Created(Location(answered), response)
            : TypedResults.Ok(response);
    }

    internal static async Task<Results<Ok<InstanceResponse>, Accepted<InstanceResponse>, ProblemHttpResult>> PatchAsync(
        string tenant, string name, JsonObject patch, ClaimsPrincipal user, IAuthorizer authorizer, InstanceService instances, AuditLog audit,
        [AsParameters] WaitQuery waitQuery, HttpContext context, [FromHeader(Name = "If-Match")] string? ifMatch = null)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Update, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        var wait = waitQuery.Parse();
        var state = await instances.PatchValuesAsync(principal, tenant, name, patch, ifMatch, context.RequestAborted);
        await audit.RecordAsync(context, principal, "instance.update", tenant, name, $"revision {state.Record.Revision}");
        context.Response.Headers.ETag = ETags.From(state.Record.Revision);
        return await AnswerAsync(context, state, wait, waitQuery.Waiter);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string tenant, string name, ClaimsPrincipal user, IAuthorizer authorizer, InstanceService instances, AuditLog audit, HttpContext context,
        [FromHeader(Name = "If-Match")] string? ifMatch = null)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Delete, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        await instances.DeleteAsync(principal, tenant, name, ifMatch, context.RequestAborted);
        await audit.RecordAsync(context, principal, "instance.delete", tenant, name);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<InstanceResponse>, Accepted<InstanceResponse>, ProblemHttpResult>> ScaleAsync(
        string tenant, string name, ScaleRequest request, ClaimsPrincipal user, IAuthorizer authorizer, InstanceService instances, AuditLog audit,
        [AsParameters] WaitQuery waitQuery, HttpContext context, [FromHeader(Name = "If-Match")] string? ifMatch = null)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Update, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        var replicas = request.Replicas ?? throw ValidationFailedException.For("replicas", "is required");
        var wait = waitQuery.Parse();
        var state = await instances.ScaleAsync(principal, tenant, name, replicas, ifMatch, context.RequestAborted);
        await audit.RecordAsync(context, principal, "instance.scale", tenant, name, $"replicas {replicas}, revision {state.Record.Revision}");
        context.Response.Headers.ETag = ETags.From(state.Record.Revision);
        return await AnswerAsync(context, state, wait, waitQuery.Waiter);
    }

    internal static async Task<Results<Ok<InstanceResponse>, Accepted<InstanceResponse>, ProblemHttpResult>> RotateCredentialsAsync(
        string tenant, string name, [FromBody] RotateCredentialsRequest? request, ClaimsPrincipal user, IAuthorizer authorizer,
        InstanceService instances, AuditLog audit, [AsParameters] WaitQuery waitQuery, HttpContext context, [FromHeader(Name = "If-Match")] string? ifMatch = null)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Update, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        var wait = waitQuery.Parse();
        var state = await instances.RotateCredentialsAsync(principal, tenant, name, request?.Secrets, ifMatch, context.RequestAborted);
        await audit.RecordAsync(context, principal, "instance.credentials.rotate", tenant, name,
            $"{string.Join(", ", state.Credentials.Keys)}, revision {state.Record.Revision}");
        context.Response.Headers.ETag = ETags.From(state.Record.Revision);
        return await AnswerAsync(context, state, wait, waitQuery.Waiter);
    }

    internal static async Task<Results<Ok<HistoryResponse>, ProblemHttpResult>> HistoryAsync(
        string tenant, string name, ClaimsPrincipal user, IAuthorizer authorizer, InstanceService instances, HttpContext context,
        int limit = 50, string? cursor = null)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        if (limit is < 1 or > MaxPageSize)
        {
            throw ValidationFailedException.For("limit", $"must be between 1 and {MaxPageSize}");
        }

        var page = await instances.HistoryAsync(tenant, name, limit, cursor, context.RequestAborted);
        if (page.Commits.Count == 0 && cursor is null)
        {
            throw new InstanceNotFoundException(tenant, name);
        }

        return TypedResults.Ok(new HistoryResponse(
            page.Commits.Select(c => new CommitResponse(c.Revision, c.Author.Name, c.Author.Email, c.When, c.Message)).ToList(),
            page.NextCursor));
    }

    internal static async Task<Results<Ok<IReadOnlyList<DiffResponse>>, ContentHttpResult, ProblemHttpResult>> DiffAsync(
        string tenant, string name, string? from, string? to, ClaimsPrincipal user, IAuthorizer authorizer, InstanceService instances, HttpContext context)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        var errors = new ValidationErrors();
        var fromRevision = await instances.ResolveRevisionAsync(tenant, name, "from", from, errors, context.RequestAborted);
        var toRevision = await instances.ResolveRevisionAsync(tenant, name, "to", to, errors, context.RequestAborted);
        errors.ThrowIfAny();
        var diffs = await instances.DiffAsync(tenant, name, fromRevision!, toRevision!, context.RequestAborted);
        if (UnifiedDiff.IsWanted(context.Request))
        {
            return TypedResults.Text(UnifiedDiff.Concatenate(diffs), UnifiedDiff.MediaType, Encoding.UTF8);
        }

        return TypedResults.Ok<IReadOnlyList<DiffResponse>>(diffs.Select(d => new DiffResponse(d.Path, d.Kind.ToString().ToLowerInvariant(), d.Patch)).ToList());
    }

    internal static async Task<Results<Ok<InstanceResponse>, Accepted<InstanceResponse>, ProblemHttpResult>> RollbackAsync(
        string tenant, string name, RollbackRequest request, ClaimsPrincipal user, IAuthorizer authorizer, InstanceService instances, AuditLog audit,
        [AsParameters] WaitQuery waitQuery, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (authorizer.Refuse(principal, ResourceAction.Update, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        var errors = new ValidationErrors();
        var revision = await instances.ResolveRevisionAsync(tenant, name, "revision", request.Revision, errors, context.RequestAborted);
        errors.ThrowIfAny();
        var wait = waitQuery.Parse();
        var state = await instances.RollbackAsync(principal, tenant, name, revision!, context.RequestAborted);
        await audit.RecordAsync(context, principal, "instance.rollback", tenant, name, $"to {revision}, revision {state.Record.Revision}");
        context.Response.Headers.ETag = ETags.From(state.Record.Revision);
        return await AnswerAsync(context, state, wait, waitQuery.Waiter);
    }

    /// <summary>
    /// The answer to a change: at once, or, when the request asked to wait, once the engine has reported on it, with
    /// the status it reported; 202 with the status so far when the wait ran out.
    /// </summary>
    private static async Task<Results<Ok<InstanceResponse>, Accepted<InstanceResponse>, ProblemHttpResult>> AnswerAsync(
        HttpContext context, InstanceState state, WaitRequest? wait, DeploymentWaiter waiter)
    {
        var (answered, timedOut) = await WaitAsync(context, state, wait, waiter);
        var response = InstanceResponse.From(answered);
        NoStoreWhenShowingCredentials(context, response);
        return timedOut ? TypedResults.Accepted(Location(answered), response) : TypedResults.Ok(response);
    }

    private static async Task<(InstanceState State, bool TimedOut)> WaitAsync(HttpContext context, InstanceState state, WaitRequest? wait, DeploymentWaiter waiter)
    {
        if (wait is null)
        {
            return (state, false);
        }

        var (record, reached) = await waiter.WaitAsync(state.Record.Tenant, state.Record.Name, state.Record.Generation, wait, context.RequestAborted);
        return (state with { Record = record ?? state.Record }, !reached);
    }

    private static string Location(InstanceState state) => $"/api/v1/tenants/{state.Record.Tenant}/instances/{state.Record.Name}";

    // A response with a generated secret must not be kept by a browser or a proxy cache.
    private static void NoStoreWhenShowingCredentials(HttpContext context, InstanceResponse response)
    {
        if (response.Credentials is not null)
        {
            context.Response.Headers.CacheControl = "no-store";
        }
    }

    // The secrets take part by name only: a hash of a low-entropy secret stored in the database could be guessed
    // offline. A retry with the same key and other secret values therefore gets the first answer, as it should.
    private static string Hash(string tenant, string name, InstanceRequest request)
    {
        var canonical = JsonSerializer.Serialize(new
        {
            tenant,
            name,
            request.Offering,
            request.Version,
            Values = request.Values?.ToJsonString(),
            Secrets = request.Secrets?.Keys.Order(StringComparer.Ordinal).ToList(),
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
