using System.Text.Json.Nodes;
using Gantry.Core.Caching;
using Gantry.Core.Catalog;
using Gantry.Core.Validation;

namespace Gantry.Server.Catalog;

/// <summary>
/// For offerings with <c>chart.schemaFromChart</c>: the values the chart would receive (its own values.yaml, then the
/// offering's defaults, the tenant's values and the fixed values, as Helm merges them) must also satisfy the chart's
/// values.schema.json at the resolved version. The offering's schema stays the narrower rule a tenant meets first.
/// </summary>
public sealed class ChartSchemaCheck(IChartPackageSource packages)
{
    private const int MaxKept = 256;
    private readonly BoundedCache<string, OfferingSchema?> _schemas = new(MaxKept, StringComparer.Ordinal);

    public async Task CheckAsync(Offering offering, string chartVersion, JsonObject values, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (!offering.Chart.SchemaFromChart)
        {
            return;
        }

        var package = await packages.GetAsync(offering.Chart, chartVersion, cancellationToken);
        var key = $"{offering.Chart.Repository}\n{offering.Chart.Name}\n{chartVersion}";
        if (!_schemas.TryGetValue(key, out var schema))
        {
            schema = _schemas.Set(key, package.ValuesSchema is { } document ? OfferingSchema.Compile(document) : null);
        }

        if (schema is null)
        {
            return;
        }

        var merged = ValuesPath.Merge(package.Values, offering.Defaults, values, offering.Fixed);
        foreach (var (field, message) in schema.Validate(merged, "values"))
        {
            errors.Add(field, $"{message} (the chart's values.schema.json, {offering.Chart.Name} {chartVersion})");
        }
    }
}
