using System.Globalization;
using System.Text;

namespace Gantry.Testing.Engines;

/// <summary>
/// Writes JSON strings byte for byte as Go's encoding/json does (encode.go appendString with HTML escaping on, the
/// json.Marshal default): <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, U+2028 and U+2029 as <c>\u00XX</c>/<c>\u20XX</c>,
/// <c>\b \f \n \r \t</c> by name, other control characters as <c>\u00XX</c> (lowercase hex), everything else as is.
/// A Flux HMAC covers the exact bytes, so a body forged for a test must match what notification-controller sends.
/// </summary>
internal static class GoJson
{
    public static void String(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    json.Append("\\\"");
                    break;
                case '\\':
                    json.Append("\\\\");
                    break;
                case '\b':
                    json.Append("\\b");
                    break;
                case '\f':
                    json.Append("\\f");
                    break;
                case '\n':
                    json.Append("\\n");
                    break;
                case '\r':
                    json.Append("\\r");
                    break;
                case '\t':
                    json.Append("\\t");
                    break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    json.Append(c);
                    break;
            }
        }

        json.Append('"');
    }

    /// <summary>Writes <c>"name":"value"</c> after a comma when needed; skips it when omitempty and empty.</summary>
    public static void Field(StringBuilder json, ref bool first, string name, string? value, bool omitEmpty)
    {
        if (omitEmpty && string.IsNullOrEmpty(value))
        {
            return;
        }

        if (!first)
        {
            json.Append(',');
        }

        first = false;
        String(json, name);
        json.Append(':');
        String(json, value ?? string.Empty);
    }

    public static byte[] Utf8(StringBuilder json) => Encoding.UTF8.GetBytes(json.ToString());
}
