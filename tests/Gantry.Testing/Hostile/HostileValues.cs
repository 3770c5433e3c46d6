using System.Text;
using CsCheck;

namespace Gantry.Testing.Hostile;

/// <summary>
/// The hostile pieces requests are built from: names that climb folders or are reserved, template and YAML syntax,
/// control characters, boundary and overflow numbers, text that is not UTF-8 or not Unicode, sizes past the limits.
/// </summary>
public static class HostileValues
{
    /// <summary>Texts for names, path segments, query values and string fields; never a real resource's name.</summary>
    public static readonly string[] Texts =
    [
        "", " ", ".", "..", "../../etc/passwd", "..%2f..%2fstate.git", "a/../../b", "%2e%2e", "con", "nul", "default", "kube-system",
        "flux-system", "gantry", "admin", "-leading-dash", "UPPER", "a_b", "ünïcödé", "😀", "a\u0000b", "tab\there", "line\nbreak",
        "\r\nX-Injected: yes", "{{ .Values.secret }}", "${jndi:ldap://x/a}", "{% raw %}", "!!python/object/apply:os.system ['id']",
        "&anchor [*anchor]", "key: value", "- item", "---", "' OR '1'='1", "\"; DROP TABLE tenants; --", "<script>alert(1)</script>",
        "*", "?", "#", "%", "%00", "\u202Eevil", "\uFEFF", "a\u0085b", new string('a', 64), new string('x', 300),
        "-1", "0", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e400", "NaN", "Infinity", "null", "true",
    ];

    /// <summary>JSON literals of every type, at and past the limits.</summary>
    public static readonly string[] JsonScalars =
    [
        "null", "true", "false", "0", "-0", "1", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999999999", "1e308", "1e400", "-1e400", "1.5", "0.1e-400",
        "\"\"", "\"x\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"../../x\"", "\"{{ .Values.x }}\"",
        "\"!!binary AAAA\"", "\"\\r\\nX: y\"", "[]", "{}", "[1,\"a\",null]", "{\"\":\"\"}",
    ];

    public static readonly string?[] ContentTypes =
    [
        "application/json", "application/json", "application/json", "application/json; charset=utf-8", "application/merge-patch+json",
        "text/plain", "application/x-www-form-urlencoded", "application/yaml", "multipart/form-data; boundary=x",
        "application/json; charset=utf-16", "application/octet-stream", "garbage", null,
    ];

    public static readonly KeyValuePair<string, string>[] Headers =
    [
        new("If-Match", "\"nosuch\""), new("If-Match", "*"), new("If-Match", new string('"', 50)), new("Accept", "text/x-diff"),
        new("Accept", "application/xml"), new("Accept", "*/*;q=abc"), new("Last-Event-ID", "-1"), new("Last-Event-ID", "99999999999999999999999"),
        new("Last-Event-ID", "../x"), new("X-Forwarded-For", "1.2.3.4, evil"), new("X-Forwarded-Proto", "gopher"), new("Idempotency-Key", new string('k', 500)),
        // Header values stay ASCII: .NET's client refuses to send anything else, so other bytes would test the client.
        new("X-Gantry-Tenant", "../other"), new("Content-Language", "%ff"),
    ];

    /// <summary>Tokens that must all be refused: unsigned, garbage, truncated, empty.</summary>
    public static readonly string[] ForgedTokens =
    [
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwiZXhwIjo0MTAyNDQ0ODAwfQ.", "not-a-token", "a.b.c", "", new string('A', 5000),
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
    ];

    public static Gen<string> Text { get; } = Gen.OneOf(Texts);

    /// <summary>A path segment, percent-encoded where it must be, or raw bytes that are not UTF-8 / a lone surrogate's encoding.</summary>
    /// <remarks>
    /// No NUL (<c>%00</c>) in a path: Kestrel refuses such a request line itself with an empty 400, before any of
    /// Gantry's code runs (a known gap of the error contract, in docs/security.md).
    /// </remarks>
    public static Gen<string> Segment(IReadOnlyList<string> realNames) => Gen.Frequency(
        (6, Gen.OneOf([.. Texts.Where(t => !t.Contains('\0', StringComparison.Ordinal))]).Select(Uri.EscapeDataString)),
        (2, Gen.OneOf("%C3%28", "%ED%A0%80", "%FF", "%2F", "%5C", "%01", "%0A", "..%2F..%2F", "%252e%252e")),
        (3, Gen.OneOf([.. realNames])),
        (1, Gen.Int[1, 4000].Select(n => new string('n', n))));

    /// <summary>A JSON document meant for an operation whose body has the given property names, made hostile in one way.</summary>
    public static Gen<(byte[] Body, string Kind)> Body(IReadOnlyList<string> properties, IReadOnlyList<string> realNames)
    {
        var names = properties.Count == 0 ? ["name", "values"] : properties;
        var scalar = Gen.Frequency((4, Gen.OneOf(JsonScalars)), (3, Text.Select(Quote)), (1, Gen.OneOf([.. realNames]).Select(Quote)));
        var fields = Gen.Select(Gen.OneOf([.. names]), scalar).Array[0, 6]
            .Select(f => "{" + string.Join(",", f.Select(p => Quote(p.Item1) + ":" + p.Item2)) + "}");
        return Gen.Frequency(
            (6, fields.Select(j => (Utf8(j), "typed fields"))),
            (2, fields.Select(j => (Utf8(j.TrimEnd('}') + (j.Length > 2 ? "," : "") + Quote(names[0]) + ":1," + Quote(names[0]) + ":2}"), "duplicate key"))),
            (2, Gen.Int[60, 200].Select(d => (Utf8(string.Concat(Enumerable.Repeat("{\"a\":[", d)) + "1" + string.Concat(Enumerable.Repeat("]}", d))), "deep nesting"))),
            (2, fields.Select(j => (Splice(Utf8(j), [0xC3, 0x28]), "invalid UTF-8"))),
            (1, fields.Select(j => (Splice(Utf8(j), [0xED, 0xA0, 0x80]), "encoded surrogate"))),
            (1, Gen.Int[100_000, 1_200_000].Select(n => (Utf8("{" + Quote(names[0]) + ":\"" + new string('x', n) + "\"}"), "huge string"))),
            (1, fields.Select(j => (Utf8(j + " trailing"), "trailing garbage"))),
            (1, Gen.OneOf("", "{", "[", "\"", "{\"a\":}", "NaN", "{'a':1}", "\u0000", "a: 1\nb: [x").Select(t => (Utf8(t), "malformed"))),
            (1, Gen.Byte.Array[1, 300].Select(b => (b, "random bytes"))));
    }

    private static string Quote(string text)
    {
        var escaped = new StringBuilder("\"");
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return escaped.Append('"').ToString();
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    // Bad bytes inside the first string value (or at the end when there is none), where a lax reader would take them.
    private static byte[] Splice(byte[] json, byte[] bad)
    {
        var at = Array.IndexOf(json, (byte)'"', Math.Max(0, Array.IndexOf(json, (byte)':') + 1));
        at = at < 0 ? json.Length : at + 1;
        return [.. json[..at], .. bad, .. json[at..]];
    }
}
