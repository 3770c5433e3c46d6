using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gantry.Sealing.Manifests;

/// <summary>
/// Kubernetes manifests as text: reads one YAML or JSON document into a <see cref="JsonNode"/> tree and writes a tree
/// back as YAML (through YamlDotNet's emitter, never string templates) or JSON. Input is bounded: at most
/// <see cref="MaxLength"/> characters, <see cref="MaxDepth"/> levels, no YAML aliases (no billion laughs).
/// </summary>
public static partial class ManifestText
{
    /// <summary>The largest manifest read, in characters: far above any real Secret (etcd caps objects at 1.5 MiB).</summary>
    public const int MaxLength = 4 * 1024 * 1024;

    public const int MaxDepth = 64;

    private static readonly JsonSerializerOptions JsonOutput = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    // Words YAML 1.1 (which Kubernetes' sigs.k8s.io/yaml still follows) reads as something other than a string.
    private static readonly HashSet<string> SpecialWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    };

    /// <summary>Reads exactly one JSON object or YAML document whose root is a mapping.</summary>
    public static JsonObject Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new SealingException($"the manifest is larger than {MaxLength / (1024 * 1024)} MiB");
        }

        var trimmed = text.AsSpan().TrimStart();
        var root = trimmed.Length > 0 && trimmed[0] is '{' or '[' ? ParseJson(text) : ParseYaml(text);
        return root as JsonObject ?? throw new SealingException("the manifest is not an object (a YAML mapping or JSON object)");
    }

    public static string ToJson(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.ToJsonString(JsonOutput) + "\n";
    }

    public static string ToYaml(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, EmitterSettings.Default.WithBestWidth(int.MaxValue));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            throw new SealingException($"the manifest is not valid JSON (line {ex.LineNumber + 1})", ex);
        }
        catch (ArgumentException ex)
        {
            throw new SealingException("the manifest is not valid JSON (a key appears twice)", ex);
        }
    }

    private static JsonNode? ParseYaml(string text)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            JsonNode? root = null;
            var documents = 0;
            while (parser.TryConsume<DocumentStart>(out _))
            {
                var node = ReadNode(parser, 0);
                parser.Consume<DocumentEnd>();
                if (node is null)
                {
                    continue; // an empty document, e.g. a trailing "---"
                }

                if (++documents > 1)
                {
                    throw new SealingException("the manifest holds more than one YAML document; give one object");
                }

                root = node;
            }

            parser.Consume<StreamEnd>();
            return root ?? throw new SealingException("the manifest is empty");
        }
        catch (YamlException ex)
        {
            throw new SealingException($"the manifest is not valid YAML (line {ex.Start.Line}): {OneLine(ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner throws these on some malformed input instead of a YamlException.
            throw new SealingException("the manifest is not valid YAML", ex);
        }
    }

    private static JsonNode? ReadNode(IParser parser, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new SealingException($"the manifest nests deeper than {MaxDepth} levels");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return ScalarValue(scalar);
        }

        if (parser.TryConsume<MappingStart>(out _))
        {
            var map = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.TryConsume<Scalar>(out var keyScalar)
                    ? keyScalar.Value
                    : throw new SealingException("the manifest has a mapping key that is not a plain string");
                if (map.ContainsKey(key))
                {
                    throw new SealingException($"the manifest has the key '{key}' twice in one mapping");
                }

                map[key] = ReadNode(parser, depth + 1);
            }

            return map;
        }

        if (parser.TryConsume<SequenceStart>(out _))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, depth + 1));
            }

            return array;
        }

        if (parser.Accept<AnchorAlias>(out _))
        {
            throw new SealingException("the manifest uses YAML aliases, which are not accepted");
        }

        throw new SealingException("the manifest has an unexpected YAML construct");
    }

    // YAML 1.2 core schema for plain scalars; quoted scalars and "!!str" are always strings.
    private static JsonValue? ScalarValue(Scalar scalar)
    {
        var value = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == "tag:yaml.org,2002:str"))
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Block));
                foreach (var (key, value) in map)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Block));
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
        // Double-quote what a plain scalar would turn into another type, and anything with control characters or
        // edge whitespace: the emitter's own analysis lets a leading tab through as plain, which a reader drops.
        var ambiguous = value.Length == 0
            || SpecialWords.Contains(value)
            || value[0] is (>= '0' and <= '9') or '-' or '+' or '.'
            || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])
            || value.Any(char.IsControl);
        var style = ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: !ambiguous, isQuotedImplicit: true));
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
