using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gantry.Core.Yaml;

/// <summary>A YAML document could not be read; the message names where.</summary>
public sealed class YamlReadException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Reads YAML into <see cref="JsonNode"/> so the rest of Gantry handles one data model. Plain scalars are typed by
/// the YAML 1.2 core schema (what Helm and Kubernetes users mean by <c>3</c>, <c>true</c>, <c>null</c>); quoted
/// scalars are always strings. Depth and size are bounded, so alias bombs and deep nesting fail cleanly.
/// </summary>
public static partial class YamlJson
{
    public const int MaxDepth = 64;
    public const int MaxNodes = 200_000;

    /// <summary>Parses a single YAML document. An empty document is <c>null</c>.</summary>
    public static JsonNode? Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new YamlReadException($"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }

        return stream.Documents.Count switch
        {
            0 => null,
            1 => Convert(stream.Documents[0].RootNode, depth: 0, new Budget(), "$"),
            _ => throw new YamlReadException("expected one YAML document, found several ('---')."),
        };
    }

    private static JsonNode? Convert(YamlNode node, int depth, Budget budget, string path)
    {
        if (depth > MaxDepth)
        {
            throw new YamlReadException($"{path}: nested deeper than {MaxDepth} levels.");
        }

        if (++budget.Nodes > MaxNodes)
        {
            throw new YamlReadException($"more than {MaxNodes} values (aliases count each time they are used).");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var result = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new YamlReadException($"{path}: mapping keys must be plain strings.");
                    }

                    if (result.ContainsKey(key))
                    {
                        throw new YamlReadException($"{path}: key '{key}' appears twice.");
                    }

                    result[key] = Convert(valueNode, depth + 1, budget, $"{path}.{key}");
                }

                return result;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var index = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, depth + 1, budget, $"{path}[{index++}]"));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlReadException($"{path}: unsupported YAML node.");
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not ScalarStyle.Plain || scalar.Tag == "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(text))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return JsonValue.Create(integer);
            }

            return JsonValue.Create(decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (FloatPattern().IsMatch(text) && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]{1,28}$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    private sealed class Budget
    {
        public int Nodes { get; set; }
    }
}
