using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Data.Instances;
using Gantry.Data.Status;
using Gantry.Server.Identity;
using Gantry.Server.Instances;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Gantry.Server.Hosting;

namespace Gantry.Server.Status;

/// <summary>
/// An instance's status timeline, and live status as Server-Sent Events: per tenant
/// (<c>/api/v1/tenants/{tenant}/events/stream</c>) and per instance. Each event's SSE id is its timeline id, so a
/// client that reconnects with <c>Last-Event-ID</c> gets what it missed first. Scoped to the tenant like every read.
/// </summary>
public static class StatusEndpoints
{
    public const int MaxPageSize = 500;
    private const int ReplayPage = 500;

    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var tenant = endpoints.MapGroup("/api/v1/tenants/{tenant}").WithTags("Status").RequireAuthorization().AnswersProblems(StatusCodes.Status404NotFound);
        tenant.MapGet("/instances/{name}/events", TimelineAsync).WithName("InstanceEvents")
            .WithSummary("The instance's status timeline, newest first: Gantry's commits and the engines' reports (paged with ?before=).");
        tenant.MapGet("/events/stream", (string tenant, ClaimsPrincipal user, IAuthorizer authorizer, StatusFeed feed, StatusEventRepository events,
                IOptions<StatusOptions> options, HttpContext context) => StreamAsync(tenant, null, user, authorizer, feed, events, options.Value, context))
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .WithName("TenantEventStream")
            .WithSummary("Live status of the tenant's instances as Server-Sent Events (event: status); resumes after Last-Event-ID.");
        tenant.MapGet("/instances/{name}/events/stream", (string tenant, string name, ClaimsPrincipal user, IAuthorizer authorizer, StatusFeed feed,
                StatusEventRepository events, IOptions<StatusOptions> options, HttpContext context) => StreamAsync(tenant, name, user, authorizer, feed, events, options.Value, context))
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .WithName("InstanceEventStream")
            .WithSummary("Live status of one instance as Server-Sent Events (event: status); resumes after Last-Event-ID.");
        return endpoints;
    }

    internal static async Task<Results<Ok<StatusEventPage>, ProblemHttpResult>> TimelineAsync(
        string tenant, string name, ClaimsPrincipal user, IAuthorizer authorizer, InstanceRepository instances, StatusEventRepository events,
        HttpContext context, long? before = null, int limit = 100)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        var page = await PageAsync(events, tenant, StatusTargetKinds.Instance, name, before, limit, context.RequestAborted);
        if (page.Items.Count == 0 && before is null && await instances.FindAsync(tenant, name, context.RequestAborted) is null)
        {
            throw new InstanceNotFoundException(tenant, name);
        }

        return TypedResults.Ok(page);
    }

    /// <summary>A page of one target's timeline, newest first; <c>next</c> is the <c>before</c> of the next page.</summary>
    internal static async Task<StatusEventPage> PageAsync(
        StatusEventRepository events, string tenant, string targetKind, string target, long? before, int limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            throw ValidationFailedException.For("limit", $"must be between 1 and {MaxPageSize}");
        }

        var page = await events.ListForTargetAsync(tenant, targetKind, target, before, limit + 1, cancellationToken);
        var items = page.Take(limit).Select(StatusEventResponse.From).ToList();
        return new StatusEventPage(items, page.Count > limit ? items[^1].Id : null);
    }

    private static async Task<IResult> StreamAsync(
        string tenant, string? name, ClaimsPrincipal user, IAuthorizer authorizer, StatusFeed feed, StatusEventRepository events,
        StatusOptions options, HttpContext context)
    {
        if (authorizer.Refuse(user.ToPrincipal(), ResourceAction.Read, ResourceRef.InTenant(tenant, ResourceKinds.Instance, name)) is { } refusal)
        {
            return refusal;
        }

        var lastId = LastEventId(context.Request);
        var cancel = context.RequestAborted;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass events on as they come
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await response.WriteAsync("retry: 3000\n\n", cancel);
            await response.Body.FlushAsync(cancel);
            while (!cancel.IsCancellationRequested)
            {
                using var listener = await feed.ListenAsync(tenant, name, cancel);

                // What the client missed (or nothing, for a new client), then live; ids already sent are skipped.
                if (lastId is { } after)
                {
                    lastId = await ReplayAsync(response, events, tenant, name, after, cancel);
                }

                lastId = await RelayAsync(response, listener, lastId ?? 0, options.StreamHeartbeat, cancel);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away.
        }

        return Results.Empty;
    }

    private static async Task<long> ReplayAsync(HttpResponse response, StatusEventRepository events, string tenant, string? name, long after, CancellationToken cancel)
    {
        while (true)
        {
            var page = await events.ListAfterAsync(tenant, after, ReplayPage, cancel);
            foreach (var e in page)
            {
                if (name is null || (e.Target == name && e.TargetKind == StatusTargetKinds.Instance))
                {
                    await WriteAsync(response, e, cancel);
                }

                after = e.Id;
            }

            await response.Body.FlushAsync(cancel);
            if (page.Count < ReplayPage)
            {
                return after;
            }
        }
    }

    /// <summary>Relays the listener's events until it closes (it fell behind); returns the last id sent.</summary>
    private static async Task<long> RelayAsync(HttpResponse response, StatusFeed.Listener listener, long lastId, TimeSpan heartbeat, CancellationToken cancel)
    {
        var reader = listener.Events;
        while (true)
        {
            using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            beat.CancelAfter(heartbeat);
            try
            {
                if (!await reader.WaitToReadAsync(beat.Token))
                {
                    return lastId;
                }
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                await response.WriteAsync(": keep-alive\n\n", cancel);
                await response.Body.FlushAsync(cancel);
                continue;
            }

            while (reader.TryRead(out var e))
            {
                if (e.Id > lastId)
                {
                    await WriteAsync(response, e, cancel);
                    lastId = e.Id;
                }
            }

            await response.Body.FlushAsync(cancel);
        }
    }

    private static async Task WriteAsync(HttpResponse response, StatusEventRecord e, CancellationToken cancel)
    {
        var json = JsonSerializer.Serialize(StatusEventResponse.From(e), JsonSerializerOptions.Web);
        await response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"id: {e.Id}\nevent: status\ndata: {json}\n\n"), Encoding.UTF8, cancel);
    }

    private static long? LastEventId(HttpRequest request)
    {
        var text = request.Headers["Last-Event-ID"].FirstOrDefault() ?? request.Query["lastEventId"].FirstOrDefault();
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id : throw ValidationFailedException.For("Last-Event-ID", "must be the id of an event this stream sent (a whole number)");
    }
}
