using System.Diagnostics.Metrics;
using Gantry.Core.Diagnostics;

namespace Gantry.Git;

/// <summary>The instruments of meter "Gantry.Git", for the metrics endpoint: queue depth, batch sizes, durations, bytes pushed.</summary>
public sealed class GitMetrics : IDisposable
{
    public const string MeterName = "Gantry.Git";

    private readonly Meter _meter;
    private int _queueDepth;

    public GitMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge("gantry.git.queue.depth", () => Volatile.Read(ref _queueDepth), "{change}", "Changes waiting for the committer.");
        BatchSize = _meter.CreateHistogram<int>("gantry.git.batch.size", "{change}", "Changes per batch.");
        CommitDuration = _meter.CreateHistogram("gantry.git.commit.duration", "s", "Time to build and store one batch locally.", advice: DurationAdvice.Seconds);
        PushDuration = _meter.CreateHistogram("gantry.git.push.duration", "s", "Time of one push to the remote.", advice: DurationAdvice.Seconds);
        FetchDuration = _meter.CreateHistogram("gantry.git.fetch.duration", "s", "Time of one fetch from the remote (another replica pushed).", advice: DurationAdvice.Seconds);
        PushBytes = _meter.CreateCounter<long>("gantry.git.push.bytes", "By", "Bytes of packs pushed.");
        PushRejections = _meter.CreateCounter<long>("gantry.git.push.rejections", "{push}", "Pushes refused because another writer moved the branch.");
        LeaseWait = _meter.CreateHistogram("gantry.git.lease.wait", "s", "Time waiting for the shared remote's write lease, by outcome (held, fetched, unavailable).", advice: DurationAdvice.Seconds);
        Changes = _meter.CreateCounter<long>("gantry.git.changes", "{change}", "Changes by outcome (committed, conflict, failed).");
    }

    public Histogram<int> BatchSize { get; }

    public Histogram<double> CommitDuration { get; }

    public Histogram<double> PushDuration { get; }

    public Counter<long> PushBytes { get; }

    public Histogram<double> FetchDuration { get; }

    public Counter<long> PushRejections { get; }

    public Histogram<double> LeaseWait { get; }

    public Counter<long> Changes { get; }

    public int QueueDepth => Volatile.Read(ref _queueDepth);

    internal void Enqueued() => Interlocked.Increment(ref _queueDepth);

    internal void Dequeued() => Interlocked.Decrement(ref _queueDepth);

    public void Dispose() => _meter.Dispose();
}
