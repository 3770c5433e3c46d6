using System.Diagnostics.Metrics;
using Gantry.Server.Errors;
using Gantry.Server.Instances;

namespace Gantry.Server.Telemetry;

/// <summary>The <c>Gantry.Server</c> meter's count of index rows repaired from Git after an interrupted write, by outcome.</summary>
public sealed class IndexRepairMetrics
{
    private readonly Counter<long> _repairs;

    public IndexRepairMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ErrorMetrics.MeterName);
        _repairs = meter.CreateCounter<long>("gantry.index.repairs", "{intent}",
            "Write intents left by a writer that died between its commit and its index row, by outcome (agreed, rewritten, deleted).");
    }

    public void Repaired(IEnumerable<IndexRepair> repairs)
    {
        foreach (var outcome in repairs.GroupBy(r => r.Outcome))
        {
            _repairs.Add(outcome.LongCount(), new KeyValuePair<string, object?>("gantry.outcome", outcome.Key.ToString().ToLowerInvariant()));
        }
    }
}
