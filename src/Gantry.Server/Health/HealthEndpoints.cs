using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gantry.Server.Health;

/// <summary>
/// <c>/healthz</c> (liveness), <c>/readyz</c> (readiness) and <c>/hc</c> (every check, HTML or <c>?format=json</c>,
/// in the manner of django-health-check). Anything short of healthy answers 503.
/// </summary>
public static class HealthEndpoints
{
    private static readonly Dictionary<HealthStatus, int> ResultStatusCodes = new()
    {
        [HealthStatus.Healthy] = StatusCodes.Status200OK,
        [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
        [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
    };

    public static IEndpointRouteBuilder MapGantryHealth(this IEndpointRouteBuilder endpoints)
    {
        // Liveness runs no check: the process answering is the whole question.
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResultStatusCodes = ResultStatusCodes,
            ResponseWriter = WriteJsonAsync,
        }).ExcludeFromDescription();

        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthCheckNames.ReadyTag),
            ResultStatusCodes = ResultStatusCodes,
            ResponseWriter = WriteJsonAsync,
        }).ExcludeFromDescription();

        endpoints.MapHealthChecks("/hc", new HealthCheckOptions
        {
            ResultStatusCodes = ResultStatusCodes,
            ResponseWriter = (context, report) =>
                string.Equals(context.Request.Query["format"], "json", StringComparison.OrdinalIgnoreCase)
                    ? WriteJsonAsync(context, report)
                    : WriteHtmlAsync(context, report),
        }).ExcludeFromDescription();

        // Anonymous, like the health checks: the CLI's 'gantry version' shows it beside its own.
        endpoints.MapGet("/api/v1/version", () => TypedResults.Ok(new VersionResponse(GantryVersion.Informational, "v1")))
            .WithTags("Meta").WithName("GetVersion").WithSummary("The server's version (the build's informational version) and the API version.")
            .AllowAnonymous();

        return endpoints;
    }

    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthResponse(
            report.Status.ToString(),
            Math.Round(report.TotalDuration.TotalMilliseconds, 2),
            report.Entries.Select(e => new HealthCheckResponse(
                e.Key,
                e.Value.Status.ToString(),
                Math.Round(e.Value.Duration.TotalMilliseconds, 2),
                e.Value.Description,
                Numbers(e.Value.Data))).ToList());
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJsonContext.Default.HealthResponse, context.RequestAborted);
    }

    // A check's figures (free disk, ready key pairs), for monitoring; only numbers, the rest is in the description.
    private static Dictionary<string, long>? Numbers(IReadOnlyDictionary<string, object> data)
    {
        var numbers = data.Where(d => d.Value is int or long).ToDictionary(d => d.Key, d => Convert.ToInt64(d.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return numbers.Count == 0 ? null : numbers;
    }

    private static Task WriteHtmlAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gantry health</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}")
            .Append("td,th{padding:.4rem .8rem;border-bottom:1px solid #ddd;text-align:left}.Healthy{color:#137333}")
            .Append(".Degraded,.Unhealthy{color:#b3261e;font-weight:600}</style></head><body>")
            .Append("<h1>Gantry health: <span class=\"").Append(report.Status).Append("\">").Append(report.Status).Append("</span></h1>")
            .Append("<table><thead><tr><th>Check</th><th>Status</th><th>Duration (ms)</th><th>Detail</th></tr></thead><tbody>");
        foreach (var (name, entry) in report.Entries)
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(name))
                .Append("</td><td class=\"").Append(entry.Status).Append("\">").Append(entry.Status)
                .Append("</td><td>").Append(entry.Duration.TotalMilliseconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(WebUtility.HtmlEncode(entry.Description ?? string.Empty)).Append("</td></tr>");
        }

        html.Append("</tbody></table><p><a href=\"?format=json\">JSON</a></p></body></html>");
        return context.Response.WriteAsync(html.ToString(), context.RequestAborted);
    }
}

internal sealed record HealthResponse(string Status, double DurationMs, IReadOnlyList<HealthCheckResponse> Checks);

internal sealed record HealthCheckResponse(string Name, string Status, double DurationMs, string? Description, IReadOnlyDictionary<string, long>? Data);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
