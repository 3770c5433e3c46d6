using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Gantry.Core.Catalog;

/// <summary>An offering's JSON Schema, compiled once when the catalog loads and used for every request.</summary>
public sealed class OfferingSchema
{
    // JsonSchema.Validate makes a validator, and with it a table of format validators, on every call (much of what
    // validating a request allocated); one per thread is kept instead, as nothing says a validator may be shared.
    [ThreadStatic]
    private static JsonSchemaValidator? t_validator;

    private readonly JsonSchema _schema;

    private OfferingSchema(JsonObject document, JsonSchema schema)
    {
        Document = document;
        _schema = schema;
    }

    /// <summary>The schema as written in the catalog, served to forms and the CLI.</summary>
    public JsonObject Document { get; }

    /// <summary>Compiles a schema; only local references (<c>#/...</c>) are allowed, so loading never reaches the network.</summary>
    public static OfferingSchema Compile(JsonObject document)
    {
        if (FindExternalReference(document) is { } reference)
        {
            throw new ArgumentException($"$ref '{reference}' points outside the schema; only local references (#/...) are allowed.");
        }

        var schema = JsonSchema.FromJsonAsync(document.ToJsonString()).GetAwaiter().GetResult();
        return new OfferingSchema(document, schema);
    }

    /// <summary>
    /// Validates <paramref name="values"/>, naming each problem by its dotted path under <paramref name="prefix"/>.
    /// <paramref name="partial"/> values (defaults, a patch) may leave required settings out.
    /// </summary>
    public IReadOnlyList<(string Field, string Message)> Validate(JsonNode? values, string prefix, bool partial = false)
    {
        var errors = (t_validator ??= new JsonSchemaValidator()).Validate(values?.ToJsonString() ?? "null", _schema.ActualSchema);
        var result = new List<(string, string)>();
        foreach (var error in errors.Where(e => !partial || e.Kind != ValidationErrorKind.PropertyRequired))
        {
            Flatten(error, prefix, result);
        }

        return result;
    }

    public bool DeclaresInteger(string dottedPath)
    {
        JsonSchema? current = _schema;
        foreach (var segment in dottedPath.Split('.'))
        {
            current = current?.ActualSchema.ActualProperties.TryGetValue(segment, out var property) == true ? property.ActualSchema : null;
        }

        return current is not null && current.Type.HasFlag(JsonObjectType.Integer);
    }

    private static void Flatten(ValidationError error, string prefix, List<(string, string)> into)
    {
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            foreach (var nested in child.Errors.SelectMany(e => e.Value))
            {
                Flatten(nested, prefix, into);
            }

            return;
        }

        var path = (error.Path ?? "#").TrimStart('#').Trim('/').Replace('/', '.');
        if (error.Kind is ValidationErrorKind.PropertyRequired or ValidationErrorKind.NoAdditionalPropertiesAllowed
            && error.Property is { Length: > 0 } property && !path.EndsWith(property, StringComparison.Ordinal))
        {
            path = path.Length == 0 ? property : $"{path}.{property}";
        }

        var field = path.Length == 0 ? prefix : $"{prefix}.{path}";
        into.Add((field, Describe(error)));
    }

    private static string Describe(ValidationError error) => error.Kind switch
    {
        ValidationErrorKind.NoAdditionalPropertiesAllowed => "is not a setting this offering accepts",
        ValidationErrorKind.PropertyRequired => "is required",
        ValidationErrorKind.IntegerExpected => "must be a whole number",
        ValidationErrorKind.NumberExpected => "must be a number",
        ValidationErrorKind.StringExpected => "must be a string",
        ValidationErrorKind.BooleanExpected => "must be true or false",
        ValidationErrorKind.ObjectExpected => "must be an object",
        ValidationErrorKind.ArrayExpected => "must be a list",
        ValidationErrorKind.NumberTooBig => $"must be at most {error.Schema?.Maximum}",
        ValidationErrorKind.NumberTooSmall => $"must be at least {error.Schema?.Minimum}",
        ValidationErrorKind.StringTooLong => $"must be at most {error.Schema?.MaxLength} characters",
        ValidationErrorKind.StringTooShort => $"must be at least {error.Schema?.MinLength} characters",
        ValidationErrorKind.PatternMismatch => $"must match the pattern {error.Schema?.Pattern}",
        ValidationErrorKind.NotInEnumeration => $"must be one of: {string.Join(", ", error.Schema?.Enumeration.Select(e => e?.ToString()) ?? [])}",
        ValidationErrorKind.TooManyItems => $"must have at most {error.Schema?.MaxItems} items",
        ValidationErrorKind.TooFewItems => $"must have at least {error.Schema?.MinItems} items",
        _ => $"is not valid ({error.Kind})",
    };

    private static string? FindExternalReference(JsonNode? node) => node switch
    {
        JsonObject obj => obj.TryGetPropertyValue("$ref", out var reference)
                          && reference is JsonValue value && value.TryGetValue<string>(out var text) && !text.StartsWith('#')
            ? text
            : obj.Select(p => FindExternalReference(p.Value)).FirstOrDefault(r => r is not null),
        JsonArray array => array.Select(FindExternalReference).FirstOrDefault(r => r is not null),
        _ => null,
    };
}
