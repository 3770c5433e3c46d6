using System.Text.Json.Nodes;

namespace Gantry.Core.Catalog;

/// <summary>What Gantry reads from a chart package: its default values and, when it carries one, its values.schema.json.</summary>
public sealed record ChartPackage(JsonObject Values, JsonObject? ValuesSchema);

/// <summary>Reads a chart package of an offering at one version (the edge: a Helm repository).</summary>
public interface IChartPackageSource
{
    /// <exception cref="Versions.TagSourceException">The package could not be found, read or trusted.</exception>
    Task<ChartPackage> GetAsync(ChartSource chart, string version, CancellationToken cancellationToken = default);
}
