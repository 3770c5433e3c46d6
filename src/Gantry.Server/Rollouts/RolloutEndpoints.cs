using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Rollouts;

public sealed record PreviewWave(int Index, string Label, int Count);

public sealed record PreviewChange(string Tenant, string Name, int Wave, string FromVersion, string ToVersion, bool ValuesChanged);

/// <summary>One changed instance before and after: chart version, the values the chart receives, and the diff of its rendered files.</summary>
public sealed record PreviewSample(
    string Tenant, string Name, string FromVersion, string ToVersion, JsonObject FromValues, JsonObject ToValues, IReadOnlyList<PreviewFile> Files)
{
    public static PreviewSample From(PlannedChange change, Offering offering)
    {
        var (before, after) = (Render(change.From, offering), Render(change.To, offering));
        var files = before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(path => new PreviewFile(path, TextDiff.Unified(before.GetValueOrDefault(path) ?? string.Empty, after.GetValueOrDefault(path) ?? string.Empty)))
            .Where(f => f.Patch.Length > 0)
            .ToList();
        return new PreviewSample(change.From.Tenant, change.From.Name, change.From.ChartVersion, change.To.ChartVersion,
            change.From.ChartValues(offering), change.To.ChartValues(offering), files);
    }

    private static Dictionary<string, string> Render(InstanceClaim claim, Offering offering) =>
        TenantRenderer.RenderInstance(claim.Tenant, new RenderedInstance(claim, offering))
            .ToDictionary(f => f.Key, f => Encoding.UTF8.GetString(f.Value), StringComparer.Ordinal);
}

/// <summary>What a rollout would change in one rendered file: a unified diff of its lines.</summary>
public sealed record PreviewFile(string Path, string Patch);

/// <summary>What a rollout would do; <see cref="Invalid"/> non-empty means starting it is refused.</summary>
public sealed record RolloutPreview(
    string Offering, int Changing, IReadOnlyList<PreviewWave> Waves, IReadOnlyList<PreviewChange> Changes, IReadOnlyList<SkippedInstance> Skipped,
    IReadOnlyDictionary<string, string[]> Invalid, PreviewSample? Sample, IReadOnlyList<SkippedInstance> LiftedPins)
{
    public static RolloutPreview From(RolloutPlan plan)
    {
        var sample = plan.Changes.Count > 0 ? plan.Changes[0] : null;
        return new RolloutPreview(
            plan.Offering.Name, plan.Changes.Count, [.. plan.Waves.Select((w, i) => new PreviewWave(i, w.Label, w.Count))],
            [.. plan.Changes.Select(c => new PreviewChange(c.From.Tenant, c.From.Name, c.Wave, c.From.ChartVersion, c.To.ChartVersion, !JsonNode.DeepEquals(c.From.Values, c.To.Values)))],
            plan.Skipped, plan.Invalid,
            sample is null ? null : PreviewSample.From(sample, plan.Offering),
            plan.LiftedPins);
    }
}

/// <summary>A rollout in a list: its state and counts.</summary>
public sealed record RolloutSummary(
    string Id, string Offering, string? Tenant, string State, string? Reason, string StartedBy, int Waves, int Changed, int Ready, int Failed, int Skipped,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static RolloutSummary From(Rollout r) => new(
        r.Id, r.Offering, r.Tenant, r.State, r.Reason, r.StartedBy.Name, r.Waves.Count, r.Instances.Count(i => i.Revision is not null),
        r.Instances.Count(i => i.State == RolloutInstanceStates.Ready), r.Instances.Count(i => i.State == RolloutInstanceStates.Failed),
        r.Instances.Count(i => i.State == RolloutInstanceStates.Skipped), r.CreatedAt, r.UpdatedAt);
}

public sealed record RolloutPage(IReadOnlyList<RolloutSummary> Items);

/// <summary><c>/api/v1/rollouts</c>: change many instances of an offering in gated waves, one commit per wave.</summary>
public static class RolloutEndpoints
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapRolloutEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/rollouts").WithTags("Rollouts").RequireAuthorization()
            .AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
        group.MapPost("/preview", PreviewAsync).WithName("PreviewRollout")
            .WithSummary("What a rollout would do: the instances that change (from, to, wave), those skipped and why, those it would make invalid, and a sample; nothing is written.");
        group.MapPost("/", StartAsync).WithName("StartRollout")
            .WithSummary("Starts a rollout: a selector, a change (version and/or values merge patch) and waves with a gate. Refused whole when any instance would become invalid.");
        group.MapGet("/", ListAsync).WithName("ListRollouts").WithSummary("The rollouts the caller may see, newest first.");
        group.MapGet("/{id}", GetAsync).WithName("GetRollout").WithSummary("A rollout with the state of each wave and each instance.");
        group.MapPost("/{id}/pause", PauseAsync).WithName("PauseRollout").WithSummary("Stops the rollout after the step in progress.").AnswersProblems(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/resume", ResumeAsync).WithName("ResumeRollout")
            .WithSummary("Goes on with a paused rollout; a wave that failed its gate is accepted as it is.").AnswersProblems(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/abort", AbortAsync).WithName("AbortRollout").WithSummary("Stops the rollout before its next wave; what is committed stays.").AnswersProblems(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/rollback", RollbackAsync).WithName("RollbackRollout")
            .WithSummary("Reverts every instance the rollout changed to its revision before, in one commit, gated like a wave.").AnswersProblems(StatusCodes.Status409Conflict);
        return endpoints;
    }

    internal static async Task<Ok<RolloutPreview>> PreviewAsync(RolloutRequest request, ClaimsPrincipal user, RolloutPlanner planner, HttpContext context) =>
        TypedResults.Ok(RolloutPreview.From(await planner.PlanAsync(user.ToPrincipal(), request, context.RequestAborted)));

    internal static async Task<Created<Rollout>> StartAsync(RolloutRequest request, ClaimsPrincipal user, RolloutService rollouts, HttpContext context)
    {
        var rollout = await rollouts.StartAsync(context, user.ToPrincipal(), request, context.RequestAborted);
        return TypedResults.Created($"/api/v1/rollouts/{rollout.Id}", rollout);
    }

    internal static async Task<Ok<RolloutPage>> ListAsync(ClaimsPrincipal user, RolloutService rollouts, HttpContext context, int limit = 100)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            throw Core.Validation.ValidationFailedException.For("limit", $"must be between 1 and {MaxPageSize}");
        }

        return TypedResults.Ok(new RolloutPage([.. (await rollouts.ListAsync(user.ToPrincipal(), limit, context.RequestAborted)).Select(RolloutSummary.From)]));
    }

    internal static async Task<Ok<Rollout>> GetAsync(string id, ClaimsPrincipal user, RolloutService rollouts, HttpContext context) =>
        TypedResults.Ok(await rollouts.GetAsync(user.ToPrincipal(), id, context.RequestAborted));

    internal static async Task<Ok<Rollout>> PauseAsync(string id, ClaimsPrincipal user, RolloutService rollouts, HttpContext context) =>
        TypedResults.Ok(await rollouts.PauseAsync(context, user.ToPrincipal(), id, context.RequestAborted));

    internal static async Task<Ok<Rollout>> ResumeAsync(string id, ClaimsPrincipal user, RolloutService rollouts, HttpContext context) =>
        TypedResults.Ok(await rollouts.ResumeAsync(context, user.ToPrincipal(), id, context.RequestAborted));

    internal static async Task<Ok<Rollout>> AbortAsync(string id, ClaimsPrincipal user, RolloutService rollouts, HttpContext context) =>
        TypedResults.Ok(await rollouts.AbortAsync(context, user.ToPrincipal(), id, context.RequestAborted));

    internal static async Task<Ok<Rollout>> RollbackAsync(string id, ClaimsPrincipal user, RolloutService rollouts, HttpContext context) =>
        TypedResults.Ok(await rollouts.RollbackAsync(context, user.ToPrincipal(), id, context.RequestAborted));
}
