namespace Gantry.Server.Telemetry;

/// <summary>Metrics and traces, bound from the <c>Telemetry</c> section.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Serve the metrics in Prometheus text format at <see cref="MetricsPath"/> (anonymous, like <c>/hc</c>; labels never name a tenant, instance or user).</summary>
    public bool Metrics { get; set; } = true;

    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// Addresses or CIDR networks allowed to scrape (the pod network, where Prometheus runs); empty, anyone. The
    /// address is the client's after <c>Gantry:TrustedProxies</c>, so a scrape through the ingress is refused (404).
    /// </summary>
    public List<string> MetricsAllowedNetworks { get; set; } = [];

    /// <summary>
    /// Where to send traces over OTLP (e.g. <c>http://otel-collector:4317</c>). Unset, the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable is used; neither set, no trace is recorded.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318, <c>/v1/traces</c>).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The <c>service.name</c> resource attribute of every metric and span.</summary>
    public string ServiceName { get; set; } = "gantry";
}
