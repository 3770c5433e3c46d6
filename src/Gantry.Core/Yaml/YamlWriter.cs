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

    private static readonly EmitterSettings Settings = EmitterSettings.Default.WithBestWidth(int.MaxValue).WithIndentedSequences();

    public static string Write(JsonNode? document)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, Settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, document);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    /// <summary>Several documents in one file, separated by <c>---</c>.</summary>
    public static string WriteAll(IEnumerable<JsonNode?> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            if (text.Length > 0)
            {
                text.Append("---\n");
            }

            text.Append(Write(document));
        }

        return text.ToString();
    }

    public static byte[] WriteUtf8(JsonNode? document) => Encoding.UTF8.GetBytes(Write(document));

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
            || value.Any(char.IsControl);
        var style = ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: !ambiguous, isQuotedImplicit: true));
    }
}
