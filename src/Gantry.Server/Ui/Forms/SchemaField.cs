using System.Globalization;
using System.Text.Json.Nodes;

namespace Gantry.Server.Ui.Forms;

/// <summary>How a setting is asked for: a number, a line of text, one of a list, a group of settings, or JSON.</summary>
public enum SchemaFieldKind
{
    WholeNumber,
    Number,
    Text,
    Choice,
    Group,
    Json,
}

/// <summary>
/// One setting of an offering's JSON Schema as a form asks for it. <see cref="Path"/> holds the property names from
/// the schema's root, so the field's name in the form (<c>values.persistence.size</c>) is the very field name the
/// server's validation errors use.
/// </summary>
public sealed record SchemaField
{
    /// <summary>How deep nested objects become groups; below that a setting is edited as JSON.</summary>
    public const int MaxGroupDepth = 6;

    public required IReadOnlyList<string> Path { get; init; }

    public required SchemaFieldKind Kind { get; init; }

    public string? Description { get; init; }

    /// <summary>The choices as JSON literals (<c>"Always"</c>, <c>true</c>), which is what the form posts back.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    public string? Minimum { get; init; }

    public string? Maximum { get; init; }

    public string? Pattern { get; init; }

    public int? MaxLength { get; init; }

    /// <summary>The offering's default for this setting, as the form shows it.</summary>
    public string? Default { get; init; }

    /// <summary>The value the platform fixes for this setting; such a setting is shown, not asked for.</summary>
    public string? Fixed { get; init; }

    public IReadOnlyList<SchemaField> Children { get; init; } = [];

    public string Label => Path[^1];

    /// <summary>The field's name in the form and in the server's errors.</summary>
    public string FormName => "values." + string.Join('.', Path);

    public string Id => "field-" + string.Join('-', Path);

    /// <summary>The settings an offering's schema declares, in the schema's order, with its defaults and fixed values.</summary>
    public static IReadOnlyList<SchemaField> FromSchema(JsonObject schema, JsonObject defaults, JsonObject fixedValues) =>
        Properties(schema, [], defaults, fixedValues);

    private static List<SchemaField> Properties(JsonObject schema, string[] parent, JsonNode? defaults, JsonNode? fixedValues)
    {
        var fields = new List<SchemaField>();
        if (schema["properties"] is not JsonObject properties)
        {
            return fields;
        }

        foreach (var (name, node) in properties)
        {
            if (node is JsonObject property)
            {
                fields.Add(From(property, [.. parent, name], (defaults as JsonObject)?[name], (fixedValues as JsonObject)?[name]));
            }
        }

        return fields;
    }

    private static SchemaField From(JsonObject property, string[] path, JsonNode? defaultValue, JsonNode? fixedValue)
    {
        var type = TypeOf(property);
        var kind = property["enum"] is JsonArray ? SchemaFieldKind.Choice : type switch
        {
            "integer" => SchemaFieldKind.WholeNumber,
            "number" => SchemaFieldKind.Number,
            "string" => SchemaFieldKind.Text,
            "boolean" => SchemaFieldKind.Choice,
            "object" when property["properties"] is JsonObject { Count: > 0 } && path.Length <= MaxGroupDepth => SchemaFieldKind.Group,
            _ => SchemaFieldKind.Json,
        };
        var choices = property["enum"] is JsonArray values ? values.Select(v => v?.ToJsonString() ?? "null").ToList()
            : type == "boolean" ? ["true", "false"] : [];
        return new SchemaField
        {
            Path = path,
            Kind = kind,
            Description = Text(property["description"]) ?? Text(property["title"]),
            Choices = choices,
            Minimum = Number(property["minimum"]),
            Maximum = Number(property["maximum"]),
            Pattern = Text(property["pattern"]),
            MaxLength = property["maxLength"] is JsonValue max && max.TryGetValue<int>(out var length) ? length : null,
            Default = kind == SchemaFieldKind.Group ? null : Display(kind, defaultValue),
            Fixed = kind == SchemaFieldKind.Group ? null : Display(kind, fixedValue),
            Children = kind == SchemaFieldKind.Group ? Properties(property, path, defaultValue, fixedValue) : [],
        };
    }

    /// <summary>A value as the field shows it: text as typed, a choice as its JSON literal, JSON indented.</summary>
    public static string? Display(SchemaFieldKind kind, JsonNode? value) => value switch
    {
        null => null,
        JsonValue text when kind is SchemaFieldKind.Text or SchemaFieldKind.WholeNumber or SchemaFieldKind.Number
            && text.TryGetValue<string>(out var s) => s,
        JsonValue number when kind is SchemaFieldKind.WholeNumber or SchemaFieldKind.Number or SchemaFieldKind.Text => number.ToJsonString(),
        _ when kind == SchemaFieldKind.Json => value.ToJsonString(Indented),
        _ => value.ToJsonString(),
    };

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    // "type" may be one name or a list of them (["string", "null"]): the first that is not null decides.
    private static string? TypeOf(JsonObject property) => property["type"] switch
    {
        JsonValue one => Text(one),
        JsonArray many => many.Select(Text).FirstOrDefault(t => t is not null and not "null"),
        _ => property["properties"] is JsonObject ? "object" : null,
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<decimal>(out var number) ? number.ToString(CultureInfo.InvariantCulture) : null;
}
