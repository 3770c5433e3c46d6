using Gantry.Buckets;
using Gantry.Core.Diagnostics;
using Gantry.Git;
using Gantry.Server.Errors;
using Gantry.Server.Hosting;
using Gantry.Server.Status;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gantry.Server.Telemetry;

/// <summary>
/// OpenTelemetry for Gantry: ASP.NET Core, HttpClient and runtime metrics plus Gantry's own meters, scraped in
/// Prometheus format; traces of Gantry's steps exported over OTLP when an endpoint is configured.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The meters Gantry itself defines; each instrument's name starts with <c>gantry.</c>.</summary>
    public static readonly IReadOnlyList<string> GantryMeters = [ErrorMetrics.MeterName, GitMetrics.MeterName, StatusMetrics.MeterName, BucketMetrics.MeterName];

    public static IServiceCollection AddGantryTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // The standard variable stands in for the setting, so the validator and the exporter see the same address.
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        options.OtlpEndpoint ??= configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName)
            .PostConfigure(o => o.OtlpEndpoint ??= configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        services.TryAddSingleton<ChangeMetrics>();
        services.TryAddSingleton<SealingMetrics>();
        services.TryAddSingleton<IndexRepairMetrics>();

        var otlp = options.OtlpEndpoint;
        if (!options.Metrics && string.IsNullOrWhiteSpace(otlp))
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(options.ServiceName));
        if (options.Metrics)
        {
            telemetry.WithMetrics(metrics => metrics
                .AddMeter([.. GantryMeters])
                // The SDK reserves room for 2,000 label sets per instrument up front: 11 MB of a replica's memory for
                // about 60 instruments whose labels come from fixed sets (a few dozen at most). A label set past the
                // limit is still counted, under otel.metric.overflow=true.
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MaxSeriesPerInstrument })
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter(o => o.ScrapeEndpointPath = options.MetricsPath));
        }

        // A bad address or protocol records no trace here; TelemetryOptionsValidator stops the start and names it.
        if (!string.IsNullOrWhiteSpace(otlp) && OtlpAddress(otlp) is { } endpoint && OtlpProtocolOf(options.OtlpProtocol) is { } protocol)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(GantryTracing.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsScrapeOrProbe(context.Request.Path, options))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o =>
                {
                    o.Protocol = protocol;
                    // For http/protobuf the signal's path is part of the address (the variable alone gets it added by the SDK).
                    o.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" ? new Uri(endpoint, "v1/traces") : endpoint;
                }));
        }

        return services;
    }

    /// <summary>Counts the changes, and serves the metrics when they are on.</summary>
    /// <summary>Most label sets one instrument keeps (<see cref="MetricStreamConfiguration.CardinalityLimit"/>).</summary>
    internal const int MaxSeriesPerInstrument = 500;

    public static WebApplication UseGantryTelemetry(this WebApplication app)
    {
        // Read unvalidated (the pipeline is built before the start validates): a bad entry allows nothing, and
        // TelemetryOptionsValidator stops the start naming it.
        var options = app.Services.GetRequiredService<IOptionsMonitor<TelemetryOptions>>().CurrentValue;
        if (options.Metrics && options.MetricsAllowedNetworks.Count > 0)
        {
            var allowed = new List<System.Net.IPNetwork>();
            foreach (var entry in options.MetricsAllowedNetworks)
            {
                if (TrustedProxy.TryParse(entry, out var network))
                {
                    allowed.Add(network);
                }
            }

            app.Use((context, next) =>
            {
                if (context.Request.Path.StartsWithSegments(options.MetricsPath, StringComparison.Ordinal)
                    && !(context.Connection.RemoteIpAddress is { } address && allowed.Any(n => n.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address))))
                {
                    // As if there were no such page: whoever may not scrape learns nothing, not even that it exists.
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
        }

        app.UseMiddleware<ChangeMetricsMiddleware>();
        return app;
    }

    public static WebApplication MapGantryMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (options.Metrics)
        {
            app.MapPrometheusScrapingEndpoint(options.MetricsPath).ExcludeFromDescription();
        }

        return app;
    }

    /// <summary>The OTLP collector's address, or null when it is not an absolute http(s) URL.</summary>
    internal static Uri? OtlpAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    internal static OtlpExportProtocol? OtlpProtocolOf(string value) => value switch
    {
        "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => null,
    };

    private static bool IsScrapeOrProbe(PathString path, TelemetryOptions options) =>
        path.StartsWithSegments(options.MetricsPath, StringComparison.Ordinal) || path.StartsWithSegments("/hc", StringComparison.Ordinal)
        || path.StartsWithSegments("/healthz", StringComparison.Ordinal) || path.StartsWithSegments("/readyz", StringComparison.Ordinal);
}
