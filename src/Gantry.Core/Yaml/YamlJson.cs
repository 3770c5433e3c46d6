using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gantry.Core.Yaml;

/// <summary>A YAML document could not be read; the message says where and why, never what the values were.</summary>
public sealed class YamlReadException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Reads YAML into <see cref="JsonNode"/> so the rest of Gantry handles one data model. Plain scalars are typed by
/// the YAML 1.2 core schema (what Helm and Kubernetes users mean by <c>3</c>, <c>true</c>, <c>null</c>); quoted
/// scalars are always strings. Streamed from the parser's events: depth is bounded and aliases are refused, so
/// alias bombs and deep nesting fail cleanly instead of exhausting memory. The values meet the rules of
/// <see cref="Validation.JsonInput"/> (keys once, whole numbers within 64 bits, finite numbers, no lone surrogate
/// from a <c>\ud800</c> escape), each refusal naming the line and column, so a YAML file cannot carry what a JSON
/// body may not.
/// </summary>
public static partial class YamlJson
{
    public const int MaxDepth = 64;

    /// <summary>Parses a single YAML document. An empty document is <c>null</c>; a trailing <c>---</c> is allowed.</summary>
    public static JsonNode? Parse(string yaml)
    {
        var documents = ParseDocuments(yaml);
        return documents.Count > 1
            ? throw new YamlReadException("the text holds more than one YAML document ('---'); give one.")
            : documents.Count == 1 ? documents[0] : null;
    }

    /// <summary>Parses every document of a YAML stream (<c>---</c> between them), leaving out empty ones.</summary>
    public static IReadOnlyList<JsonNode> ParseDocuments(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            var documents = new List<JsonNode>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                var node = ReadNode(parser, 0, "$");
                parser.Consume<DocumentEnd>();
                if (node is not null)
                {
                    documents.Add(node);
                }
            }

            parser.Consume<StreamEnd>();
            return documents;
        }
        catch (YamlException e)
        {
            throw new YamlReadException($"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner throws these on some malformed input instead of a YamlException.
            throw new YamlReadException("not valid YAML", e);
        }
    }

    private static JsonNode? ReadNode(IParser parser, int depth, string path)
    {
        if (depth > MaxDepth)
        {
            throw At(parser.Current, $"{path}: nested deeper than {MaxDepth} levels.");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return ScalarValue(scalar, path);
        }

        if (parser.TryConsume<MappingStart>(out _))
        {
            var map = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.TryConsume<Scalar>(out var keyScalar)
                    ? keyScalar.Value
                    : throw At(parser.Current, $"{path}: mapping keys must be plain strings.");
                if (map.ContainsKey(key))
                {
                    throw At(keyScalar, $"{path}: key '{key}' appears twice; each key may appear once in a mapping.");
                }

                if (Validation.JsonInput.FindLoneSurrogate(key) >= 0)
                {
                    throw At(keyScalar, $"{path}: a key holds a lone surrogate; keys must be Unicode text.");
                }

                map[key] = ReadNode(parser, depth + 1, $"{path}.{key}");
            }

            return map;
        }

        if (parser.TryConsume<SequenceStart>(out _))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, depth + 1, $"{path}[{array.Count}]"));
            }

            return array;
        }

        if (parser.Accept<AnchorAlias>(out var alias))
        {
            throw At(alias, $"{path}: YAML aliases are not accepted.");
        }

        throw At(parser.Current, $"{path}: unexpected YAML construct.");
    }

    private static YamlReadException At(ParsingEvent? at, string what) =>
        new(at is null ? what : $"line {at.Start.Line}, column {at.Start.Column}: {what}");

    // YAML 1.2 core schema for plain scalars; quoted scalars and "!!str" are always strings.
    private static JsonValue? ScalarValue(Scalar scalar, string path)
    {
        var text = scalar.Value;
        if (Validation.JsonInput.FindLoneSurrogate(text) >= 0)
        {
            throw At(scalar, $"{path}: holds a lone surrogate (a \\ud800-\\udfff escape without its pair); strings must be Unicode text.");
        }

        if (scalar.Style is not ScalarStyle.Plain || (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == "tag:yaml.org,2002:str"))
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                ? JsonValue.Create(integer)
                : throw At(scalar, string.Create(CultureInfo.InvariantCulture,
                    $"{path}: {Shorten(text)} is out of range: whole numbers must be between {long.MinValue} and {long.MaxValue} (quote it to keep it as text)."));
        }

        if (FloatPattern().IsMatch(text))
        {
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
            {
                return JsonValue.Create(exact);
            }

            var number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            return double.IsFinite(number)
                ? JsonValue.Create(number)
                : throw At(scalar, string.Create(CultureInfo.InvariantCulture,
                    $"{path}: {Shorten(text)} is out of range: numbers must be finite and between {double.MinValue:R} and {double.MaxValue:R}."));
        }

        return JsonValue.Create(text);
    }

    private static string Shorten(string literal) => literal.Length <= 40 ? literal : literal[..37] + "...";

    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
