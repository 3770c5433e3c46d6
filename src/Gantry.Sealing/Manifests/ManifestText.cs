using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Core.Yaml;

namespace Gantry.Sealing.Manifests;

/// <summary>
/// Kubernetes manifests as text: reads one YAML or JSON document into a <see cref="JsonNode"/> tree and writes a tree
/// back as YAML or JSON, through Gantry's one YAML reader and writer (<see cref="YamlJson"/>, <see cref="YamlWriter"/>).
/// Input is bounded: at most <see cref="MaxLength"/> characters, <see cref="MaxDepth"/> levels, no YAML aliases.
/// </summary>
public static class ManifestText
{
    /// <summary>The largest manifest read, in characters: far above any real Secret (etcd caps objects at 1.5 MiB).</summary>
    public const int MaxLength = 4 * 1024 * 1024;

    public const int MaxDepth = YamlJson.MaxDepth;

    private static readonly JsonSerializerOptions JsonOutput = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
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

    /// <summary>
    /// Reads every manifest of the text: the documents of a YAML stream, one JSON object, or the items of a
    /// <c>kind: List</c> (as <c>kubectl get -o yaml</c> writes several objects).
    /// </summary>
    public static IReadOnlyList<JsonObject> ParseAll(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new SealingException($"the manifest is larger than {MaxLength / (1024 * 1024)} MiB");
        }

        var trimmed = text.AsSpan().TrimStart();
        IReadOnlyList<JsonNode?> roots;
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            roots = [ParseJson(text)];
        }
        else
        {
            try
            {
                roots = YamlJson.ParseDocuments(text);
            }
            catch (YamlReadException ex)
            {
                throw new SealingException($"the input is {OneLine(ex.Message)}", ex);
            }
        }

        var manifests = new List<JsonObject>();
        foreach (var (root, index) in roots.Select((r, i) => (r, i + 1)))
        {
            var manifest = root as JsonObject ?? throw new SealingException($"document {index} is not an object (a YAML mapping or JSON object)");
            if (manifest["kind"]?.GetValueKind() == JsonValueKind.String && (string?)manifest["kind"] == "List" && manifest["items"] is JsonArray items)
            {
                manifests.AddRange(items.Select((item, i) => item as JsonObject
                    ?? throw new SealingException($"item {i + 1} of the List in document {index} is not an object")));
            }
            else
            {
                manifests.Add(manifest);
            }
        }

        return manifests.Count == 0 ? throw new SealingException("the input holds no manifest") : manifests;
    }

    public static string ToJson(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.ToJsonString(JsonOutput) + "\n";
    }

    public static string ToYaml(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return YamlWriter.Write(node);
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
            var documents = YamlJson.ParseDocuments(text);
            return documents.Count switch
            {
                0 => throw new SealingException("the manifest is empty"),
                1 => documents[0],
                _ => throw new SealingException($"the input holds {documents.Count} YAML documents ('---'); give one manifest"),
            };
        }
        catch (YamlReadException ex)
        {
            throw new SealingException($"the manifest is {OneLine(ex.Message)}", ex);
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
