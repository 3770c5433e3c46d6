using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gantry.Core.Yaml;

/// <summary>
/// Writes manifests as YAML through YamlDotNet's emitter, never by pasting strings: every value a tenant supplies is
/// a scalar, so it can only ever be data, never structure. Strings that any YAML reader might take for another type
/// (YAML 1.1 in sigs.k8s.io/yaml and Helm reads <c>yes</c>, <c>0777</c>, <c>1_000</c> differently from YAML 1.2 in
/// kustomize's kyaml), and strings with control characters or edge whitespace, are double-quoted. Key order is kept
/// as built, for readable diffs.
/// </summary>
public static class YamlWriter
{
    private static readonly HashSet<string> SpecialWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", "+.inf", ".nan",
    };

    // char.IsControl: C0, DEL and C1.
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c)]);

    private static readonly EmitterSettings Settings = EmitterSettings.Default.WithBestWidth(int.MaxValue).WithIndentedSequences();

    public static string Write(JsonNode? document) => Written(text => WriteTo(text, document), static text => text.ToString());

    /// <summary>Several documents in one file, separated by <c>---</c>.</summary>
    public static string WriteAll(IEnumerable<JsonNode?> documents) => Written(text => WriteAllTo(text, documents), static text => text.ToString());

    /// <summary><see cref="Write"/> as UTF-8, without the string in between.</summary>
    public static byte[] WriteUtf8(JsonNode? document) => Written(text => WriteTo(text, document), Utf8);

    /// <summary><see cref="WriteAll"/> as UTF-8, without the string in between.</summary>
    public static byte[] WriteAllUtf8(IEnumerable<JsonNode?> documents) => Written(text => WriteAllTo(text, documents), Utf8);

    // Rendering writes a few small documents per change: one builder per thread, cleared and used again, instead of a
    // new one grown chunk by chunk for every document.
    [ThreadStatic]
    private static StringBuilder? t_text;

    private static T Written<T>(Action<StringBuilder> write, Func<StringBuilder, T> result)
    {
        var text = t_text ?? new StringBuilder(4096);
        t_text = null; // a document written while writing another (never today) gets a builder of its own
        try
        {
            text.Clear();
            write(text);
            return result(text);
        }
        finally
        {
            if (text.Capacity <= 256 * 1024)
            {
                t_text = text;
            }
        }
    }

    private static void WriteAllTo(StringBuilder text, IEnumerable<JsonNode?> documents)
    {
        foreach (var document in documents)
        {
            if (text.Length > 0)
            {
                text.Append("---\n");
            }

            WriteTo(text, document);
        }
    }

    private static void WriteTo(StringBuilder text, JsonNode? document)
    {
        using var writer = new StringWriter(text, CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, Settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, document);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
    }

    private static byte[] Utf8(StringBuilder text)
    {
        // Chunk by chunk through one encoder, so a surrogate pair split between chunks is encoded whole.
        var encoder = Encoding.UTF8.GetEncoder();
        var count = 0;
        foreach (var chunk in text.GetChunks())
        {
            count += encoder.GetByteCount(chunk.Span, flush: false);
        }

        count += encoder.GetByteCount([], flush: true);
        encoder.Reset();
        var bytes = new byte[count];
        var written = 0;
        foreach (var chunk in text.GetChunks())
        {
            written += encoder.GetBytes(chunk.Span, bytes.AsSpan(written), flush: false);
        }

        encoder.GetBytes([], bytes.AsSpan(written), flush: true);
        return bytes;
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in map)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                EmitString(emitter, value.GetValue<string>());
                break;
            default:
                // Numbers and booleans keep their JSON spelling, which YAML reads back as the same type.
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, node.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string value)
    {
        // The emitter's own analysis decides quoting for syntax (':', '#', newlines...); it does not know which plain
        // scalars other readers type differently, and it lets a leading tab through as plain, which a reader drops.
        var ambiguous = value.Length == 0
            || SpecialWords.Contains(value)
            || value[0] is (>= '0' and <= '9') or '-' or '+' or '.'
            || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])
            || value.AsSpan().ContainsAny(ControlCharacters);
        var style = ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: !ambiguous, isQuotedImplicit: true));
    }
}
