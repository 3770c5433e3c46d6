using Gantry.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Telemetry;

/// <summary>
/// Checks the <c>Telemetry</c> settings at start like every other section, so <c>check</c> reports them as
/// <c>config.E001</c> beside the rest instead of the start stopping on the first one.
/// </summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        if (!options.MetricsPath.StartsWith('/'))
        {
            failures.Add($"Telemetry:MetricsPath '{options.MetricsPath}' must start with '/'.");
        }

        failures.AddRange(options.MetricsAllowedNetworks.Where(n => !TrustedProxy.TryParse(n, out _))
            .Select(n => $"Telemetry:MetricsAllowedNetworks entry '{n}' is not an IP address or CIDR network (e.g. 10.0.0.0/8)."));

        if (options.OtlpEndpoint is { } endpoint && TelemetryServiceCollectionExtensions.OtlpAddress(endpoint) is null)
        {
            failures.Add($"Telemetry:OtlpEndpoint '{endpoint}' is not an http(s) address such as http://otel-collector:4317.");
        }

        if (TelemetryServiceCollectionExtensions.OtlpProtocolOf(options.OtlpProtocol) is null)
        {
            failures.Add($"Telemetry:OtlpProtocol '{options.OtlpProtocol}' is neither 'grpc' nor 'http/protobuf'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
