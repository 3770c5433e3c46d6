using System.Text.Json;

namespace Gantry.Testing.Hostile;

/// <summary>
/// What every answer to a hostile request must be: no 5xx; an error is a problem document with a title and a detail
/// in words (OAuth's token endpoint answers its own error form, with a description); and it holds none of the names
/// in <c>foreignNames</c> that the caller did not send itself.
/// </summary>
public static class HostileAnswers
{
    public static IEnumerable<string> Violations(HostileRequest request, int status, string? mediaType, string body, IEnumerable<string> foreignNames)
    {
        if (status >= 500)
        {
            yield return $"{status} answer: {Shorten(body)}";
        }

        if (status >= 400 && WordlessError(mediaType, body) is { } why)
        {
            yield return $"{status} without words ({why}): {Shorten(body)}";
        }

        var sent = request.SentText;
        foreach (var name in foreignNames.Where(n => body.Contains(n, StringComparison.Ordinal) && !sent.Contains(n, StringComparison.Ordinal)))
        {
            yield return $"{status} answer holds '{name}', which is not the caller's: {Shorten(body)}";
        }
    }

    private static string? WordlessError(string? mediaType, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (mediaType == "application/json" && root.TryGetProperty("error", out _))
            {
                // RFC 6749 section 5.2: the token endpoint's own error form.
                return HasWords(root, "error_description") ? null : "an OAuth error without error_description";
            }

            if (mediaType != "application/problem+json")
            {
                return $"content type {mediaType ?? "(none)"}";
            }

            return HasText(root, "title") && HasWords(root, "detail") ? null : "a problem without title and detail";
        }
        catch (JsonException)
        {
            return body.Length == 0 ? "an empty body" : "a body that is not JSON";
        }
    }

    private static bool HasText(JsonElement root, string property) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString()!.Any(char.IsLetter);

    private static bool HasWords(JsonElement root, string property) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString()!.Trim().Contains(' ', StringComparison.Ordinal);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
