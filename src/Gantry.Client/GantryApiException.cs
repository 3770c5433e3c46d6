using System.Net;
using System.Text.Json;

namespace Gantry.Client;

/// <summary>
/// The server refused a request. Built from its RFC 9457 problem document (<c>title</c>, <c>detail</c>, and
/// <c>errors</c> naming every bad field), or from an OAuth 2.0 error (<c>error</c>, <c>error_description</c>) for
/// the token endpoint; a body that is neither still gives the status code in words.
/// </summary>
public sealed class GantryApiException : Exception
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    public GantryApiException(HttpStatusCode statusCode, string title, string? detail = null, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(detail is null ? title : $"{title} {detail}")
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Errors = errors ?? NoErrors;
    }

    public HttpStatusCode StatusCode { get; }

    public string Title { get; }

    public string? Detail { get; }

    /// <summary>Field name to messages, from a validation problem; empty otherwise.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The problem's <c>type</c>, or the OAuth <c>error</c> code.</summary>
    public string? Type { get; init; }

    public string? TraceId { get; init; }

    /// <summary>The whole problem document, for members this type does not name (e.g. <c>tags_seen</c>).</summary>
    public JsonElement? Document { get; init; }

    internal static async Task<GantryApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var fallback = $"The server answered {(int)status} {response.ReasonPhrase}.";
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return new GantryApiException(status, fallback);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return new GantryApiException(status, fallback);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new GantryApiException(status, fallback);
            }

            // OAuth 2.0 (RFC 6749 §5.2), as the token endpoint answers.
            if (!root.TryGetProperty("title", out _) && String(root, "error") is { } error)
            {
                return new GantryApiException(status, String(root, "error_description") ?? error) { Type = error, Document = root.Clone() };
            }

            return new GantryApiException(status, String(root, "title") ?? fallback, String(root, "detail"), ReadErrors(root))
            {
                Type = String(root, "type"),
                TraceId = String(root, "traceId"),
                Document = root.Clone(),
            };
        }
        catch (JsonException)
        {
            return new GantryApiException(status, fallback);
        }
    }

    private static Dictionary<string, string[]>? ReadErrors(JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var field in errors.EnumerateObject())
        {
            result[field.Name] = field.Value.ValueKind switch
            {
                JsonValueKind.Array => [.. field.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText())],
                JsonValueKind.String => [field.Value.GetString()!],
                _ => [field.Value.GetRawText()],
            };
        }

        return result;
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
