using System.Diagnostics.Metrics;

namespace Gantry.Core.Diagnostics;

/// <summary>
/// Histogram buckets for Gantry's durations, all in seconds as OpenTelemetry's conventions have them: from a
/// millisecond (an index write) to a minute (a push to a slow remote). Without them an exporter's defaults (0, 5, 10, …)
/// would put nearly every observation in the first bucket.
/// </summary>
public static class DurationAdvice
{
    public static InstrumentAdvice<double> Seconds { get; } = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };
}
