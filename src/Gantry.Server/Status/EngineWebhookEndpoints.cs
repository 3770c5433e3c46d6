using System.Text.Json;
using Gantry.Data.Clusters;
using Gantry.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Status;

/// <summary>
/// <c>POST /api/v1/webhooks/{engine}/{cluster}</c>: where a cluster's Flux notification-controller (generic-hmac
/// Provider) or Argo CD notifications (Gantry's webhook service) send deployment events. One endpoint per sender kind;
/// the body is read raw within <see cref="StatusOptions.MaxEventBytes"/> and its signature checked before any parsing.
/// </summary>
public static class EngineWebhookEndpoints
{
    public static IEndpointRouteBuilder MapEngineWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/webhooks").WithTags("Status").AllowAnonymous().WithMetadata(RawBody.Instance).AnswersProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);
        group.MapPost("/flux/{cluster}", (string cluster, HttpContext context, EngineEventRecorder recorder, IOptions<StatusOptions> options) =>
                ReceiveAsync(ClusterEngines.Flux, cluster, context, recorder, options.Value))
            .DescribesBody<JsonElement, RouteHandlerBuilder>()
            .WithName("ReceiveFluxEvent")
            .WithSummary("Receives a Flux notification-controller event (generic-hmac provider: X-Signature: sha256=<HMAC of the body>).");
        group.MapPost("/argocd/{cluster}", (string cluster, HttpContext context, EngineEventRecorder recorder, IOptions<StatusOptions> options) =>
                ReceiveAsync(ClusterEngines.ArgoCd, cluster, context, recorder, options.Value))
            .DescribesBody<JsonElement, RouteHandlerBuilder>()
            .WithName("ReceiveArgoCdEvent")
            .WithSummary("Receives an Argo CD notification sent by Gantry's webhook template (Authorization: Bearer <webhook secret>).");
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync(string engine, string cluster, HttpContext context, EngineEventRecorder recorder, StatusOptions options)
    {
        var body = await ReadBoundedAsync(context.Request, options.MaxEventBytes, context.RequestAborted);
        var outcome = await recorder.RecordAsync(engine, cluster, body, context.Request.Headers["X-Signature"].FirstOrDefault(),
            context.Request.Headers.Authorization.FirstOrDefault(), context.RequestAborted);
        return outcome.Accepted is { } accepted
            ? TypedResults.Json(accepted, statusCode: outcome.StatusCode)
            : TypedResults.Problem(statusCode: outcome.StatusCode, title: outcome.Title, detail: outcome.Detail);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw RequestLimitsMiddleware.BodyTooLarge(limit);
        }

        var buffer = new byte[Math.Min(limit, (int?)request.ContentLength ?? 4096) + 1];
        var length = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
            if (length > limit)
            {
                throw RequestLimitsMiddleware.BodyTooLarge(limit);
            }

            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(limit + 1, buffer.Length * 2));
            }
        }

        return buffer.AsMemory(0, length);
    }
}

/// <summary>Endpoint metadata: the handler reads the body itself, raw (a signature is checked over its bytes first).</summary>
public sealed class RawBody
{
    public static RawBody Instance { get; } = new();
}
