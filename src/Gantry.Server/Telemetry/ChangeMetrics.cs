using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gantry.Core.Diagnostics;
using Gantry.Server.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace Gantry.Server.Telemetry;

/// <summary>
/// Counts every change asked of Gantry (a write to an instance, an environment or a change request) by operation and
/// outcome, in the <c>Gantry.Server</c> meter. The operation is the endpoint's name (a fixed set), the outcome a class
/// of the answer: labels never carry a tenant, an instance or a user.
/// </summary>
public sealed class ChangeMetrics
{
    private readonly Counter<long> _changes;
    private readonly Histogram<double> _duration;

    public ChangeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ErrorMetrics.MeterName);
        _changes = meter.CreateCounter<long>("gantry.changes", "{change}",
            "Changes asked for, by operation and outcome (committed, invalid, conflict, refused, failed).");
        _duration = meter.CreateHistogram("gantry.change.duration", "s",
            "From the request's arrival to its answer, for changes, by operation and outcome.", advice: DurationAdvice.Seconds);
    }

    public void Record(string operation, int status, TimeSpan elapsed)
    {
        var outcome = Outcome(status);
        var tags = new TagList { { "gantry.operation", operation }, { "gantry.outcome", outcome } };
        _changes.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }

    public static string Outcome(int status) => status switch
    {
        >= 200 and < 300 => "committed",
        400 or 413 or 415 or 422 => "invalid",
        409 or 412 => "conflict",
        401 or 403 or 404 or 429 => "refused",
        _ => "failed",
    };
}

/// <summary>
/// Feeds <see cref="ChangeMetrics"/>: any named endpoint that writes under the change-bearing API paths. It sits
/// outside the exception handler, so it sees the status the client got (a refused change often leaves as an exception
/// the handler answers 400, 409 or 412), and the endpoint the handler kept for a failed request.
/// </summary>
internal sealed class ChangeMetricsMiddleware(RequestDelegate next, ChangeMetrics metrics)
{
    private static readonly string[] ChangePaths = ["/api/v1/tenants/{tenant}/instances", "/api/v1/environments", "/api/v1/change-requests", "/api/v1/rollouts"];

    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        catch
        {
            // Nothing handled it: the server answers 500.
            Record(context, StatusCodes.Status500InternalServerError, started);
            throw;
        }

        Record(context, context.Response.StatusCode, started);
    }

    private void Record(HttpContext context, int status, long started)
    {
        if ((context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint()) is RouteEndpoint { RoutePattern.RawText: { } pattern } endpoint
            && endpoint.Metadata.GetMetadata<IEndpointNameMetadata>() is { } name
            && ChangePaths.Any(p => pattern.StartsWith(p, StringComparison.Ordinal)))
        {
            metrics.Record(name.EndpointName, status, Stopwatch.GetElapsedTime(started));
        }
    }
}
