using System.Diagnostics.Metrics;

namespace Gantry.Server.Errors;

/// <summary>The <c>Gantry.Server</c> meter's count of requests that failed with an exception nothing expected.</summary>
public sealed class ErrorMetrics
{
    public const string MeterName = "Gantry.Server";

    private readonly Counter<long> _unhandled;

    public ErrorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _unhandled = meter.CreateCounter<long>("gantry.server.unhandled_errors", "{error}",
            "Requests answered 500 because of an exception no handler expected; each is logged once with its trace id.");
    }

    public void Unhandled(string route) => _unhandled.Add(1, new KeyValuePair<string, object?>("http.route", route));
}
