using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;

namespace Gantry.Registries;

/// <summary>
/// A registry's <c>WWW-Authenticate: Bearer realm="...",service="...",scope="..."</c> challenge
/// (distribution/distribution docs/spec/auth/token.md, "How to authenticate").
/// </summary>
internal sealed record BearerChallenge(Uri Realm, string? Service, string? Scope)
{
    public static bool TryFind(HttpResponseMessage response, [NotNullWhen(true)] out BearerChallenge? challenge)
    {
        challenge = null;
        foreach (var header in response.Headers.WwwAuthenticate)
        {
            if (string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) && TryParse(header, out challenge))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsBasic(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Any(h => string.Equals(h.Scheme, "Basic", StringComparison.OrdinalIgnoreCase));

    /// <summary>The token request: the realm with <c>service</c> and <c>scope</c> as query parameters.</summary>
    public Uri TokenUri()
    {
        var query = new List<string>();
        if (Service is not null)
        {
            query.Add("service=" + Uri.EscapeDataString(Service));
        }

        if (Scope is not null)
        {
            query.Add("scope=" + Uri.EscapeDataString(Scope));
        }

        var builder = new UriBuilder(Realm);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', new[] { existing }.Where(q => q.Length > 0).Concat(query));
        return builder.Uri;
    }

    private static bool TryParse(AuthenticationHeaderValue header, [NotNullWhen(true)] out BearerChallenge? challenge)
    {
        challenge = null;
        var parameters = ParseParameters(header.Parameter ?? string.Empty);
        if (!parameters.TryGetValue("realm", out var realm)
            || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)
            || realmUri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        challenge = new BearerChallenge(realmUri, parameters.GetValueOrDefault("service"), parameters.GetValueOrDefault("scope"));
        return true;
    }

    // auth-param list of RFC 9110 §11.2: name=token or name="quoted string", separated by commas; scopes contain commas
    // inside their quotes (repository:a/b:pull,push), so this walks the quotes instead of splitting on ','.
    private static Dictionary<string, string> ParseParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] is ' ' or ',')
            {
                i++;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var name = text[i..equals].Trim();
            i = equals + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var builder = new System.Text.StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    builder.Append(text[i]);
                    i++;
                }

                i++;
                value = builder.ToString();
            }
            else
            {
                var comma = text.IndexOf(',', i);
                var end = comma < 0 ? text.Length : comma;
                value = text[i..end].Trim();
                i = end;
            }

            result[name] = value;
        }

        return result;
    }
}
