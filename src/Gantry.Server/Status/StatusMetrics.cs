using System.Diagnostics.Metrics;
using Gantry.Core.Diagnostics;

namespace Gantry.Server.Status;

/// <summary>The instruments of meter "Gantry.Status": engine events by outcome, notifications to the engines, and their latency.</summary>
public sealed class StatusMetrics : IDisposable
{
    public const string MeterName = "Gantry.Status";

    private readonly Meter _meter;

    public StatusMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Events = _meter.CreateCounter<long>("gantry.status.events", "{event}",
            "Engine events received, by engine and outcome (applied, kept, ignored, refused, invalid, unauthenticated, stale).");
        Notifications = _meter.CreateCounter<long>("gantry.status.notifications", "{notification}",
            "Notifications sent to the engines after commits, by engine and outcome (sent, retried, failed).");
        NotifyLatency = _meter.CreateHistogram("gantry.status.notify.latency", "s",
            "From a commit being recorded to its cluster's engine accepting the notification.", advice: DurationAdvice.Seconds);
    }

    public Counter<long> Events { get; }

    public Counter<long> Notifications { get; }

    public Histogram<double> NotifyLatency { get; }

    public void Event(string engine, string outcome) =>
        Events.Add(1, new KeyValuePair<string, object?>("engine", engine), new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => _meter.Dispose();
}
