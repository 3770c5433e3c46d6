using System.Diagnostics;

namespace Gantry.Server.Logging;

/// <summary>
/// One structured line per request: method, path, status and duration. Never bodies, query strings or headers,
/// so tokens, passwords and secrets cannot reach the logs this way. Probes log at Debug to keep logs readable.
/// </summary>
internal sealed partial class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var path = context.Request.Path.Value ?? "/";
            if (IsProbe(path))
            {
                Log.ProbeHandled(logger, context.Request.Method, path, context.Response.StatusCode, elapsed);
            }
            else
            {
                Log.RequestHandled(logger, context.Request.Method, path, context.Response.StatusCode, elapsed);
            }
        }
    }

    private static bool IsProbe(string path) => path is "/healthz" or "/readyz";

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
        public static partial void RequestHandled(ILogger logger, string method, string path, int statusCode, double elapsedMs);

        [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
        public static partial void ProbeHandled(ILogger logger, string method, string path, int statusCode, double elapsedMs);
    }
}
