using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Core.Validation;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Ui.Forms;

/// <summary>
/// A form generated from an offering's JSON Schema: what each field shows, the values a posted form makes, and the
/// server's errors beside the field they name. The form only shapes the values; judging them is the server's (the
/// same validation as <c>PUT .../instances/{name}</c>), so a value the form cannot read as a number is sent as the
/// text it is and the server says what is wrong with it.
/// </summary>
public sealed class SchemaForm(IReadOnlyList<SchemaField> fields)
{
    private readonly Dictionary<string, string> _entered = new(StringComparer.Ordinal);
    private IDictionary<string, string[]> _errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

    public IReadOnlyList<SchemaField> Fields { get; } = fields;

    /// <summary>Shows an instance's values in the fields.</summary>
    public void Show(JsonObject values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var field in Leaves(Fields))
        {
            if (Get(values, field.Path) is { } value && SchemaField.Display(field.Kind, value) is { } shown)
            {
                _entered[field.FormName] = shown;
            }
        }
    }

    /// <summary>What the field shows: what was posted, else the instance's value, else nothing (the default is a hint).</summary>
    public string ValueOf(SchemaField field) => _entered.GetValueOrDefault(field.FormName, string.Empty);

    /// <summary>The server's words about the field; for a JSON field also about anything inside it, named by its place.</summary>
    public IReadOnlyList<string> ErrorsOf(SchemaField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var inside = field.FormName + ".";
        return
        [
            .. _errors.TryGetValue(field.FormName, out var own) ? own : [],
            .. field.Kind == SchemaFieldKind.Group ? [] : _errors.Where(e => e.Key.StartsWith(inside, StringComparison.Ordinal))
                .SelectMany(e => e.Value.Select(m => $"{e.Key[inside.Length..]}: {m}")),
        ];
    }

    /// <summary>Whether a group holds a value or an error, so it is shown open.</summary>
    public bool HasContent(SchemaField group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var prefix = group.FormName + ".";
        return _entered.Any(e => e.Key.StartsWith(prefix, StringComparison.Ordinal) && e.Value.Length > 0)
            || _errors.Keys.Any(k => k == group.FormName || k.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>Takes the server's errors (the problem's <c>errors</c>) to show beside the fields.</summary>
    public void ShowErrors(ProblemDetails? problem) =>
        _errors = problem is HttpValidationProblemDetails validation ? validation.Errors : new Dictionary<string, string[]>(StringComparer.Ordinal);

    /// <summary>The errors no field of the schema shows (<c>name</c>, <c>offering</c>, …), for the page to show elsewhere.</summary>
    public IEnumerable<KeyValuePair<string, string[]>> OtherErrors()
    {
        var shown = new List<string>();
        foreach (var field in All(Fields))
        {
            shown.Add(field.FormName);
        }

        return _errors.Where(e => !shown.Contains(e.Key) && !Leaves(Fields).Any(f => f.Kind == SchemaFieldKind.Json && e.Key.StartsWith(f.FormName + ".", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The values a posted form makes, only the settings filled in; a JSON field that does not parse is named in
    /// <paramref name="errors"/> (the one thing the server could not be sent).
    /// </summary>
    public JsonObject Read(IFormCollection form, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var field in Leaves(Fields))
        {
            if (form.TryGetValue(field.FormName, out var posted) && posted.ToString() is { } text)
            {
                _entered[field.FormName] = text;
            }
        }

        return Build(Fields, errors);
    }

    private JsonObject Build(IReadOnlyList<SchemaField> fields, ValidationErrors errors)
    {
        var values = new JsonObject();
        foreach (var field in fields)
        {
            var value = field.Kind == SchemaFieldKind.Group ? Build(field.Children, errors) is { Count: > 0 } group ? group : null : Parse(field, errors);
            if (value is not null)
            {
                values[field.Label] = value;
            }
        }

        return values;
    }

    private JsonNode? Parse(SchemaField field, ValidationErrors errors)
    {
        var text = ValueOf(field);
        if (field.Fixed is not null || text.Trim().Length == 0)
        {
            return null;
        }

        switch (field.Kind)
        {
            case SchemaFieldKind.WholeNumber when long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                return JsonValue.Create(whole);
            case SchemaFieldKind.WholeNumber or SchemaFieldKind.Number
                when decimal.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number):
                return JsonValue.Create(number);
            case SchemaFieldKind.WholeNumber or SchemaFieldKind.Number or SchemaFieldKind.Text:
                return JsonValue.Create(text);
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException) when (field.Kind == SchemaFieldKind.Choice)
        {
            return JsonValue.Create(text);
        }
        catch (JsonException e)
        {
            errors.Add(field.FormName, $"is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1})");
            return null;
        }
    }

    private static JsonNode? Get(JsonObject values, IReadOnlyList<string> path)
    {
        JsonNode? current = values;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        return current;
    }

    private static IEnumerable<SchemaField> All(IEnumerable<SchemaField> fields) =>
        fields.SelectMany(f => f.Kind == SchemaFieldKind.Group ? All(f.Children).Prepend(f) : [f]);

    private static IEnumerable<SchemaField> Leaves(IEnumerable<SchemaField> fields) => All(fields).Where(f => f.Kind != SchemaFieldKind.Group);
}
