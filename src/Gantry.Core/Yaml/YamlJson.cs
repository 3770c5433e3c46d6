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
/// alias bombs and deep nesting fail cleanly instead of exhausting memory.
/// </summary>
public static partial class YamlJson
{
    public const int MaxDepth = 64;

    /// <summary>Parses a single YAML document. An empty document is <c>null</c>; a trailing <c>---</c> is allowed.</summary>
    public static JsonNode? Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            JsonNode? root = null;
            var documents = 0;
            while (parser.TryConsume<DocumentStart>(out _))
            {
                var node = ReadNode(parser, 0, "$");
                parser.Consume<DocumentEnd>();
                if (node is null)
                {
                    continue;
                }

                if (++documents > 1)
                {
                    throw new YamlReadException("the text holds more than one YAML document ('---'); give one.");
                }

                root = node;
            }

            parser.Consume<StreamEnd>();
            return root;
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
            throw new YamlReadException($"{path}: nested deeper than {MaxDepth} levels.");
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
                    : throw new YamlReadException($"{path}: mapping keys must be plain strings.");
                if (map.ContainsKey(key))
                {
                    throw new YamlReadException($"{path}: key '{key}' appears twice.");
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

        if (parser.Accept<AnchorAlias>(out _))
        {
            throw new YamlReadException($"{path}: YAML aliases are not accepted.");
        }

        throw new YamlReadException($"{path}: unexpected YAML construct.");
    }

    // YAML 1.2 core schema for plain scalars; quoted scalars and "!!str" are always strings.
    private static JsonValue? ScalarValue(Scalar scalar)
    {
        var text = scalar.Value;
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
                : JsonValue.Create(decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (FloatPattern().IsMatch(text))
        {
            return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact)
                ? JsonValue.Create(exact)
                : JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]{1,28}$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
