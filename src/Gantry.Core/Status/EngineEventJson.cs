using System.Globalization;
using System.Text.Json;

namespace Gantry.Core.Status;

/// <summary>What both engine readers need of a payload: parsing, and fields read or refused in words.</summary>
internal static class EngineEventJson
{
    /// <summary>Parses the body in place (no copy: the document lives no longer than the read that holds the body).</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new EngineReportException($"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
    }

    public static string Required(JsonElement element, string name, string path) =>
        Optional(element, name) is { Length: > 0 } text ? text : throw new EngineReportException($"{path} is missing or not a string");

    public static string? Optional(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    public static long? Generation(string? text) =>
        text is null ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var generation) ? generation
        : throw new EngineReportException($"generation '{text}' is not a whole number");

    public static DateTimeOffset Timestamp(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when)
            ? when : throw new EngineReportException($"timestamp '{text}' is not an RFC 3339 time");
}
