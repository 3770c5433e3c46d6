using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Client;
using Gantry.Core.Yaml;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gantry.Cli.Output;

/// <summary>
/// Writes records to standard output in the chosen format: JSON as the API speaks it, the same tree as YAML,
/// <c>kind/name</c> lines, or an aligned table without borders (kubectl's look) drawn by Spectre.Console.
/// </summary>
internal static class RecordWriter
{
    private static readonly JsonSerializerOptions Indented = new(GantryClient.Json) { WriteIndented = true };

    /// <summary>A list: a JSON array, a YAML sequence, one name per line, or one row per record.</summary>
    public static void WriteList<T>(CliConsole console, OutputFormat format, IReadOnlyList<T> items, IReadOnlyList<Column<T>> columns, Func<T, string> name)
    {
        switch (format)
        {
            case OutputFormat.Table:
                WriteTable(console, items, columns);
                break;
            case OutputFormat.Name:
                foreach (var item in items)
                {
                    console.Output.WriteLine(name(item));
                }

                break;
            default:
                WriteData(console, format, items);
                break;
        }
    }

    /// <summary>One record as JSON or YAML (the table and name forms are the command's own).</summary>
    public static void WriteData<T>(CliConsole console, OutputFormat format, T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Indented);
        console.Output.Write(format == OutputFormat.Yaml ? YamlWriter.Write(node) : node?.ToJsonString(Indented) + "\n");
    }

    public static void WriteTable<T>(CliConsole console, IReadOnlyList<T> items, IReadOnlyList<Column<T>> columns)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(column.Header)).Padding(0, 0, 3, 0).NoWrap());
        }

        foreach (var item in items)
        {
            table.AddRow(columns.Select(c => (IRenderable)new Text(c.Value(item) ?? string.Empty)).ToArray());
        }

        // Drawn into a buffer first so the padding Spectre gives the last column can be cut: kubectl's lines end at the text.
        using var buffer = new StringWriter();
        (console with { Output = buffer }).Ansi().Write(table);
        foreach (var line in buffer.ToString().Split('\n'))
        {
            if (line.Length > 0)
            {
                console.Output.WriteLine(line.TrimEnd(' '));
            }
        }
    }

    /// <summary>Key and value lines, aligned, for one record's details (<c>get</c>, <c>show</c>).</summary>
    public static void WriteFields(CliConsole console, IEnumerable<(string Key, string? Value)> fields)
    {
        var list = fields.Where(f => f.Value is not null).ToList();
        var width = list.Count == 0 ? 0 : list.Max(f => f.Key.Length) + 2;
        foreach (var (key, value) in list)
        {
            console.Output.WriteLine($"{(key + ":").PadRight(width)}{value}");
        }
    }

    /// <summary>A JSON value as one short line: strings bare, the rest as JSON.</summary>
    public static string Inline(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}
