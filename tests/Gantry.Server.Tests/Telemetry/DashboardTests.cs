using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Telemetry;

/// <summary>
/// The Grafana dashboard, docs/observability.md and what the server really serves agree: every series the dashboard
/// queries is described in the docs, and every Gantry series a change produces is described there too.
/// </summary>
public sealed partial class DashboardTests
{
    private static readonly string[] Suffixes = ["_bucket", "_count", "_sum"];

    [Fact]
    public void Every_series_the_dashboard_queries_is_described_in_the_docs()
    {
        var documented = Documented();
        using var dashboard = JsonDocument.Parse(File.ReadAllText(InteropFiles.InRepository("deploy", "grafana", "gantry-dashboard.json")));
        var queried = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => SeriesName().Matches(t.GetProperty("expr").GetString()!).Select(m => Base(m.Value)))
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(queried);
        Assert.All(queried, name => Assert.True(documented.Contains(name) || !name.StartsWith("gantry_", StringComparison.Ordinal),
            $"The dashboard queries {name}, which docs/observability.md does not describe."));
    }

    [Fact]
    public async Task Every_gantry_series_the_server_serves_is_described_in_the_docs()
    {
        using var factory = new GantryServerFactory();
        var admin = await factory.CreateAdminClientAsync();
        await admin.SendJsonAsync(HttpMethod.Put, "/api/v1/tenants/demo/instances/described", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);

        var scrape = await factory.CreateClient().GetStringAsync("/metrics");
        var served = scrape.Split('\n').Where(l => l.StartsWith("gantry_", StringComparison.Ordinal))
            .Select(l => Base(SeriesName().Match(l).Value)).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("gantry_changes_total", served);
        var documented = Documented();
        Assert.All(served, name => Assert.True(documented.Contains(name), $"The server serves {name}, which docs/observability.md does not describe."));
    }

    /// <summary>The Prometheus names in the docs' table (the parenthesised names of the first column).</summary>
    private static HashSet<string> Documented() =>
        DocumentedName().Matches(File.ReadAllText(InteropFiles.InRepository("docs", "observability.md")))
            .Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    private static string Base(string series) =>
        Suffixes.FirstOrDefault(s => series.EndsWith(s, StringComparison.Ordinal)) is { } suffix ? series[..^suffix.Length] : series;

    /// <summary>A series name: in the dashboard's queries always followed by its label matchers, in a scrape by labels or the value.</summary>
    [GeneratedRegex("""\b(gantry|http_server|dotnet)_[a-z_]+(?=[{ ])""")]
    private static partial Regex SeriesName();

    [GeneratedRegex("""\(`(?<name>gantry_[a-z_]+)`\)""")]
    private static partial Regex DocumentedName();
}
