using System.Globalization;
using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Environments;

namespace Gantry.Server.Environments;

/// <summary>
/// Changes to one add-on (<c>Environments:AddOns:&lt;add-on&gt;</c>); unset fields keep the design's default
/// (<see cref="AddOnDefaults"/>), and a new name adds an add-on.
/// </summary>
public sealed class AddOnOptions
{
    /// <summary>The environment variable services read the endpoint from.</summary>
    public string? Variable { get; set; }

    public string? SharedEndpoint { get; set; }

    /// <summary>The dedicated instance's endpoint, <c>{namespace}</c> standing for the environment's namespace.</summary>
    public string? DedicatedEndpoint { get; set; }

    /// <summary><c>shared</c> or <c>dedicated</c> per type (<c>Environments:AddOns:logging:Types:stage=shared</c>).</summary>
    public Dictionary<string, AddOnMode>? Types { get; set; }

    /// <summary>The bundle's charts by release name; an entry changes the fields it sets or adds a chart.</summary>
    public Dictionary<string, AddOnChartOptions>? Charts { get; set; }

    /// <summary>The defaults with the configured add-ons applied.</summary>
    public static IReadOnlyList<AddOnPolicy> Apply(IReadOnlyList<AddOnPolicy> defaults, IReadOnlyDictionary<string, AddOnOptions> configured)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(configured);
        var result = defaults.ToList();
        foreach (var (name, o) in configured)
        {
            var index = result.FindIndex(a => a.Name == name);
            var current = index >= 0 ? result[index] : new AddOnPolicy { Name = name, Variable = string.Empty, SharedEndpoint = string.Empty, DedicatedEndpoint = string.Empty };
            var types = new Dictionary<string, AddOnMode>(current.Types, StringComparer.Ordinal);
            foreach (var (type, mode) in o.Types ?? [])
            {
                types[type] = mode;
            }

            var next = current with
            {
                Variable = o.Variable ?? current.Variable,
                SharedEndpoint = o.SharedEndpoint ?? current.SharedEndpoint,
                DedicatedEndpoint = o.DedicatedEndpoint ?? current.DedicatedEndpoint,
                Types = types,
                Charts = ApplyCharts(current.Charts, o.Charts ?? []),
            };
            if (index >= 0)
            {
                result[index] = next;
            }
            else
            {
                result.Add(next);
            }
        }

        return result;
    }

    private static List<AddOnChart> ApplyCharts(IReadOnlyList<AddOnChart> defaults, Dictionary<string, AddOnChartOptions> configured)
    {
        var charts = defaults.ToList();
        foreach (var (name, o) in configured)
        {
            var index = charts.FindIndex(c => c.Name == name);
            var current = index >= 0 ? charts[index] : new AddOnChart { Name = name, Repository = string.Empty, Chart = name, Version = string.Empty };
            var values = current.Values.DeepClone().AsObject();
            foreach (var (path, text) in o.Values ?? [])
            {
                ValuesPath.Set(values, path, Scalar(text));
            }

            var next = current with
            {
                Repository = o.Repository ?? current.Repository,
                Chart = o.Chart ?? current.Chart,
                Version = o.Version ?? current.Version,
                Values = values,
            };
            if (index >= 0)
            {
                charts[index] = next;
            }
            else
            {
                charts.Add(next);
            }
        }

        return charts;
    }

    // Configuration holds strings; a chart wants true, 3 or "text".
    private static JsonValue? Scalar(string? text) => text switch
    {
        null => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        _ => JsonValue.Create(text),
    };
}

/// <summary>One chart of an add-on's bundle; unset fields keep the default.</summary>
public sealed class AddOnChartOptions
{
    public string? Repository { get; set; }

    public string? Chart { get; set; }

    public string? Version { get; set; }

    /// <summary>Default values by dotted path (<c>"grafana.enabled": "true"</c>), over the built-in ones.</summary>
    public Dictionary<string, string>? Values { get; set; }
}
