using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gantry.Core.Diagnostics;

namespace Gantry.Buckets;

/// <summary>
/// The instruments of meter "Gantry.Buckets": bucket operations by logical bucket, operation and outcome, and their
/// duration. The bucket label is the logical name (<c>environments</c>, <c>static-environments</c>), never a key.
/// </summary>
public sealed class BucketMetrics : IDisposable
{
    public const string MeterName = "Gantry.Buckets";

    private readonly Meter _meter;
    private readonly Counter<long> _operations;
    private readonly Histogram<double> _duration;

    public BucketMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _operations = _meter.CreateCounter<long>("gantry.bucket.operations", "{operation}",
            "Bucket operations (get, put, delete, list) by bucket and outcome (ok, error).");
        _duration = _meter.CreateHistogram("gantry.bucket.operation.duration", "s",
            "Time of one bucket operation; a list counts the whole listing.", advice: DurationAdvice.Seconds);
    }

    /// <summary>Counts one operation that started at <paramref name="started"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Record(string bucket, string operation, bool ok, long started)
    {
        var tags = new TagList { { "gantry.bucket", bucket }, { "gantry.bucket.operation", operation }, { "gantry.outcome", ok ? "ok" : "error" } };
        _operations.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    public void Dispose() => _meter.Dispose();
}
