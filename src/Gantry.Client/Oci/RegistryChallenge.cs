using System.Net.Http.Headers;
using System.Text.Json;

namespace Gantry.Client.Oci;

/// <summary>
/// A registry's <c>WWW-Authenticate: Bearer realm="…",service="…",scope="…"</c> (distribution docs/spec/auth/token.md
/// "How to authenticate").
/// </summary>
public sealed record RegistryChallenge(Uri Realm, string? Service, string? Scope)
{
    public static RegistryChallenge? Find(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        foreach (var header in response.Headers.WwwAuthenticate)
        {
            if (string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) && Parse(header) is { } challenge)
            {
                return challenge;
            }
        }

        return null;
    }

    private static RegistryChallenge? Parse(AuthenticationHeaderValue header)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = header.Parameter ?? string.Empty;
        var i = 0;
        while (i < text.Length)
        {
            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var name = text[i..equals].Trim(' ', ',');
            string value;
            if (equals + 1 < text.Length && text[equals + 1] == '"')
            {
                var close = text.IndexOf('"', equals + 2);
                close = close < 0 ? text.Length : close;
                value = text[(equals + 2)..close];
                i = close + 1;
            }
            else
            {
                var comma = text.IndexOf(',', equals);
                comma = comma < 0 ? text.Length : comma;
                value = text[(equals + 1)..comma];
                i = comma;
            }

            parameters[name] = value;
            i = i < text.Length && text[i] == ',' ? i + 1 : i;
        }

        return parameters.TryGetValue("realm", out var realm) && Uri.TryCreate(realm, UriKind.Absolute, out var uri)
            ? new RegistryChallenge(uri, parameters.GetValueOrDefault("service"), parameters.GetValueOrDefault("scope"))
            : null;
    }
}

/// <summary>The error codes and messages of a registry's error body (distribution-spec "Error Codes").</summary>
internal static class RegistryErrors
{
    public static string Describe(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                var parts = errors.EnumerateArray()
                    .Select(e => $"{(e.TryGetProperty("code", out var c) ? c.GetString() : null)} {(e.TryGetProperty("message", out var m) ? m.GetString() : null)}".Trim())
                    .Where(p => p.Length > 0);
                var text = string.Join("; ", parts);
                return text.Length == 0 ? string.Empty : ": " + text;
            }
        }
        catch (JsonException)
        {
            // Not the registry's error document: the status says enough.
        }

        return string.Empty;
    }
}
