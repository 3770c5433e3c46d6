using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Gantry.Client;

/// <summary>One dispatched Server-Sent Event.</summary>
public sealed record ServerSentEvent(string? Id, string Type, string Data, TimeSpan? Retry);

/// <summary>
/// Reads <c>text/event-stream</c> (WHATWG HTML §9.2.6 "Interpreting an event stream"): <c>field: value</c> lines,
/// <c>data</c> lines joined with newlines, comment lines (<c>:</c>) ignored, a blank line dispatches.
/// </summary>
public static class ServerSentEventReader
{
    public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        string? id = null;
        string type = "message";
        var data = new StringBuilder();
        var hasData = false;
        TimeSpan? retry = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    yield return new ServerSentEvent(id, type, data.ToString(), retry);
                }

                type = "message";
                data.Clear();
                hasData = false;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                case "event":
                    type = value;
                    break;
                case "id" when !value.Contains('\0', StringComparison.Ordinal):
                    id = value;
                    break;
                case "retry" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms):
                    retry = TimeSpan.FromMilliseconds(ms);
                    break;
            }
        }
    }
}
