using System.Text.Json.Nodes;

namespace Gantry.Core.Catalog;

/// <summary>Dotted paths into chart values (<c>persistence.size</c>), and deep merges of values objects.</summary>
public static class ValuesPath
{
    public static JsonNode? Get(JsonObject values, string path)
    {
        JsonNode? current = values;
        foreach (var segment in path.Split('.'))
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    public static bool Contains(JsonObject values, string path)
    {
        JsonNode? current = values;
        foreach (var segment in path.Split('.'))
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads a whole number, whatever CLR type backs the JSON value (parsed text, int, long).</summary>
    public static bool TryGetInteger(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue json && json.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && long.TryParse(json.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Sets a value, creating the objects along the path.</summary>
    public static void Set(JsonObject values, string path, JsonNode? value)
    {
        var segments = path.Split('.');
        var current = values;
        foreach (var segment in segments[..^1])
        {
            if (current[segment] is not JsonObject next)
            {
                next = [];
                current[segment] = next;
            }

            current = next;
        }

        current[segments[^1]] = value;
    }

    /// <summary>The dotted paths of every leaf (non-object value) in <paramref name="values"/>.</summary>
    public static IEnumerable<string> Leaves(JsonObject values, string prefix = "")
    {
        foreach (var (key, value) in values)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (value is JsonObject nested && nested.Count > 0)
            {
                foreach (var leaf in Leaves(nested, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    /// <summary>
    /// A new object with <paramref name="layers"/> merged in order, later layers winning, objects merged key by key
    /// and everything else (lists included) replaced whole, as Helm merges values files.
    /// </summary>
    public static JsonObject Merge(params JsonObject?[] layers)
    {
        var result = new JsonObject();
        foreach (var layer in layers)
        {
            if (layer is not null)
            {
                MergeInto(result, layer);
            }
        }

        return result;
    }

    /// <summary>RFC 7396 JSON merge patch: <c>null</c> removes a key, objects merge, anything else replaces.</summary>
    public static JsonObject ApplyMergePatch(JsonObject target, JsonObject patch)
    {
        var result = target.DeepClone().AsObject();
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonObject patchObject)
            {
                result[key] = ApplyMergePatch(result[key] as JsonObject ?? [], patchObject);
            }
            else
            {
                result[key] = value.DeepClone();
            }
        }

        return result;
    }

    private static void MergeInto(JsonObject target, JsonObject layer)
    {
        foreach (var (key, value) in layer)
        {
            if (value is JsonObject layerObject && target[key] is JsonObject targetObject)
            {
                MergeInto(targetObject, layerObject);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
