using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Rollouts;

/// <summary>A rollout's progress as its stream sends it: the counts and each wave, not every instance.</summary>
public sealed record RolloutProgress(RolloutSummary Rollout, IReadOnlyList<RolloutWave> Waves, RolloutWave? Rollback);

/// <summary>
/// <c>GET /api/v1/rollouts/{id}/events/stream</c>: the rollout's progress as Server-Sent Events (<c>event: rollout</c>),
/// one each time it changes, read at the runner's pace; the stream ends once the rollout has completed, been aborted or rolled back.
/// </summary>
public static class RolloutStreamEndpoints
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapRolloutStreamEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/v1/rollouts").WithTags("Rollouts").RequireAuthorization().AnswersProblems(StatusCodes.Status404NotFound)
            .MapGet("/{id}/events/stream", StreamAsync)
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .WithName("RolloutEventStream")
            .WithSummary("The rollout's progress as Server-Sent Events (event: rollout: its state, counts and waves) each time it changes; ends once it has completed, been aborted or rolled back.");
        return endpoints;
    }

    internal static async Task StreamAsync(
        string id, ClaimsPrincipal user, RolloutService rollouts, IOptions<RolloutOptions> options, TimeProvider time, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var cancel = context.RequestAborted;
        var rollout = await rollouts.GetAsync(principal, id, cancel); // 404 before the stream starts
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        DateTimeOffset? sent = null;
        var quietSince = time.GetUtcNow();
        try
        {
            while (true)
            {
                if (rollout.UpdatedAt != sent)
                {
                    var json = JsonSerializer.Serialize(new RolloutProgress(RolloutSummary.From(rollout), rollout.Waves, rollout.Rollback), RolloutStore.Json);
                    await response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"event: rollout\ndata: {json}\n\n"), Encoding.UTF8, cancel);
                    await response.Body.FlushAsync(cancel);
                    (sent, quietSince) = (rollout.UpdatedAt, time.GetUtcNow());
                }
                else if (time.GetUtcNow() - quietSince >= KeepAlive)
                {
                    await response.WriteAsync(": keep-alive\n\n", cancel);
                    await response.Body.FlushAsync(cancel);
                    quietSince = time.GetUtcNow();
                }

                if (!RolloutStates.IsActive(rollout.State) && rollout.State != RolloutStates.Paused)
                {
                    return;
                }

                await Task.Delay(options.Value.Interval, time, cancel);
                rollout = await rollouts.GetAsync(principal, id, cancel);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
