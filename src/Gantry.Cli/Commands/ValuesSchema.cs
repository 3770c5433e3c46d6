using System.Globalization;
using System.Text.Json.Nodes;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

/// <summary>One settable value of an offering, read from its JSON Schema, with the offering's default.</summary>
internal sealed record SchemaField(string Field, string Type, bool Required, string? Default, string? Allowed, string? Description);

/// <summary>Flattens an offering's values schema into fields with dotted paths (<c>resources.limits.cpu</c>; <c>[]</c> for array items).</summary>
internal static class ValuesSchema
{
    public static IReadOnlyList<SchemaField> Fields(Offering offering)
    {
        var fields = new List<SchemaField>();
        Walk(offering.Schema, string.Empty, offering.Defaults, required: false, fields);
        return fields;
    }

    private static void Walk(JsonObject schema, string path, JsonNode? defaults, bool required, List<SchemaField> fields)
    {
        if (schema["properties"] is JsonObject properties && properties.Count > 0)
        {
            var requiredNames = (schema["required"] as JsonArray)?.Select(n => n?.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
            foreach (var (name, child) in properties)
            {
                if (child is JsonObject childSchema)
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    Walk(childSchema, childPath, (defaults as JsonObject)?[name], requiredNames.Contains(name), fields);
                }
            }

            return;
        }

        if (path.Length == 0)
        {
            return;
        }

        if (schema["type"]?.ToString() == "array" && schema["items"] is JsonObject { } items && items["properties"] is JsonObject)
        {
            Walk(items, path + "[]", null, required, fields);
            return;
        }

        fields.Add(new SchemaField(path, TypeOf(schema), required, defaults is null ? null : RecordWriter.Inline(defaults), Allowed(schema), schema["description"]?.ToString()));
    }

    private static string TypeOf(JsonObject schema)
    {
        var type = schema["type"] switch
        {
            JsonArray types => string.Join(" | ", types.Select(t => t?.ToString())),
            JsonNode t => t.ToString(),
            null => schema["enum"] is not null ? "enum" : "any",
        };
        return type == "array" && schema["items"] is JsonObject items ? $"array of {TypeOf(items)}" : type;
    }

    private static string? Allowed(JsonObject schema)
    {
        var parts = new List<string>();
        if (schema["enum"] is JsonArray values)
        {
            parts.Add(string.Join(", ", values.Select(RecordWriter.Inline)));
        }

        if (schema["const"] is { } constant)
        {
            parts.Add(RecordWriter.Inline(constant));
        }

        var min = Number(schema["minimum"]);
        var max = Number(schema["maximum"]);
        if (min is not null || max is not null)
        {
            parts.Add($"{min ?? "…"}..{max ?? "…"}");
        }

        var minLength = Number(schema["minLength"]);
        var maxLength = Number(schema["maxLength"]);
        if (minLength is not null || maxLength is not null)
        {
            parts.Add($"length {minLength ?? "0"}..{maxLength ?? "…"}");
        }

        if (schema["pattern"] is { } pattern)
        {
            parts.Add($"matches {pattern}");
        }

        if (schema["format"] is { } format)
        {
            parts.Add($"format {format}");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<double>(out var number) ? number.ToString(CultureInfo.InvariantCulture) : null;
}
