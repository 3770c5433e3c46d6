using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Gantry.Client;

/// <summary>
/// Writes each HTTP exchange to <paramref name="log"/> as curl -v does (<c>&gt;</c> request, <c>&lt;</c> response,
/// headers and timing), without secrets: credentials headers are redacted and bodies are never written, since they
/// carry passwords, refresh tokens, secret values and generated credentials. Put it inside the credentials handler
/// so it sees the Authorization header it redacts.
/// </summary>
public sealed class HttpExchangeLog(TextWriter log, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private static readonly HashSet<string> Redacted = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key",
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lines = new List<string> { $"> {request.Method} {request.RequestUri} HTTP/{request.Version}" };
        lines.AddRange(Headers("> ", request.Headers, request.Content?.Headers));
        if (request.Content is not null)
        {
            lines.Add($"> (body of {request.Content.Headers.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} bytes not shown)");
        }

        await WriteAsync(lines);
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            await WriteAsync([$"* {request.Method} {request.RequestUri} failed after {Elapsed(started)}: {ex.Message}"]);
            throw;
        }

        var answer = new List<string> { $"< HTTP/{response.Version} {(int)response.StatusCode} {response.ReasonPhrase} ({Elapsed(started)})" };
        answer.AddRange(Headers("< ", response.Headers, response.Content.Headers));
        await WriteAsync(answer);
        return response;
    }

    private static IEnumerable<string> Headers(string prefix, HttpHeaders headers, HttpContentHeaders? content) =>
        headers.Concat(content ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .Select(h => $"{prefix}{h.Key}: {(Redacted.Contains(h.Key) ? Redact(h.Value) : string.Join(", ", h.Value))}");

    /// <summary>The scheme stays (Bearer), the credential goes.</summary>
    private static string Redact(IEnumerable<string> values) =>
        string.Join(", ", values.Select(v => v.Split(' ', 2) is [var scheme, _] ? $"{scheme} [redacted]" : "[redacted]"));

    private static string Elapsed(long started) =>
        $"{Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} ms";

    private async Task WriteAsync(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await log.WriteLineAsync(line);
        }

        await log.FlushAsync();
    }
}
