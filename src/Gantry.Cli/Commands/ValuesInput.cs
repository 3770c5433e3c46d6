using System.Globalization;
using System.Text.Json.Nodes;
using Gantry.Core.Yaml;

namespace Gantry.Cli.Commands;

/// <summary>
/// The values of <c>apply</c>: a YAML (or JSON) file, then each <c>--set path=value</c> over it, as Helm does.
/// <c>--set</c> values are typed (<c>3</c> a number, <c>true</c> a boolean, <c>null</c> removes the key);
/// <c>--set-string</c> keeps them text.
/// </summary>
internal static class ValuesInput
{
    public static async Task<JsonObject?> ReadAsync(string? file, IReadOnlyList<string> sets, IReadOnlyList<string> setStrings, CliConsole console, CancellationToken cancellationToken)
    {
        JsonObject? values = null;
        if (file is not null)
        {
            var text = file == "-"
                ? await CliInput.ReadTextAsync(console.Input, "standard input", cancellationToken)
                : await CliInput.ReadFileTextAsync(file, cancellationToken);
            JsonNode? parsed;
            try
            {
                parsed = YamlJson.Parse(text);
            }
            catch (YamlReadException ex)
            {
                throw new CliException($"{(file == "-" ? "standard input" : file)}: {ex.Message}");
            }

            values = parsed switch
            {
                JsonObject o => o,
                null => [],
                _ => throw new CliException($"{(file == "-" ? "standard input" : file)} must hold a mapping of values, not a {parsed.GetValueKind().ToString().ToLowerInvariant()}"),
            };
        }

        foreach (var (assignment, typed) in sets.Select(s => (s, true)).Concat(setStrings.Select(s => (s, false))))
        {
            values ??= [];
            Set(values, assignment, typed);
        }

        return values;
    }

    public static void Set(JsonObject values, string assignment, bool typed)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw CliException.Usage($"--set '{assignment}' is not path=value");
        }

        var path = assignment[..equals].Split('.');
        if (path.Any(string.IsNullOrEmpty))
        {
            throw CliException.Usage($"--set '{assignment}' has an empty key in its path");
        }

        var target = values;
        foreach (var key in path[..^1])
        {
            if (target[key] is not JsonObject child)
            {
                child = [];
                target[key] = child;
            }

            target = child;
        }

        var text = assignment[(equals + 1)..];
        if (typed && text == "null")
        {
            target.Remove(path[^1]);
            return;
        }

        target[path[^1]] = typed ? Typed(text) : JsonValue.Create(text);
    }

    /// <summary>The YAML 1.2 core schema's reading of a plain scalar, as Helm users expect from --set.</summary>
    private static JsonValue Typed(string text)
    {
        if (text is "true" or "false")
        {
            return JsonValue.Create(text == "true");
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            return JsonValue.Create(whole);
        }

        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }
}
