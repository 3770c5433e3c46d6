using System.CommandLine;

namespace Gantry.Cli.Output;

/// <summary><c>-o table|json|yaml|name</c>, as kubectl: every format is written from the same records.</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Yaml,
    Name,
}

internal static class OutputFormats
{
    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Output format: table (default), json, yaml or name",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json", "yaml", "name");
        return option;
    }

    public static OutputFormat Get(ParseResult parse, Option<string> option) => parse.GetValue(option) switch
    {
        "json" => OutputFormat.Json,
        "yaml" => OutputFormat.Yaml,
        "name" => OutputFormat.Name,
        _ => OutputFormat.Table,
    };
}

/// <summary>A table column: its header (stable, for scripts that read tables) and how a record fills it.</summary>
internal sealed record Column<T>(string Header, Func<T, string?> Value);
