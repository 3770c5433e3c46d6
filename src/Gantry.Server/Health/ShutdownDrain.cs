using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Health;

/// <summary>
/// The first step of a graceful stop: on SIGTERM, before the listener closes, readiness turns false and the process
/// keeps serving for <see cref="Hosting.GantryOptions.ShutdownDelay"/>, so that Kubernetes takes the pod out of its
/// Service's endpoints while requests still reach it. Then the host stops as usual: Kestrel stops taking connections
/// and finishes the requests in flight, and the Git store commits and pushes what is queued (within the shutdown timeout).
/// </summary>
internal sealed partial class ShutdownDrain(IOptions<Hosting.GantryOptions> options, ILogger<ShutdownDrain> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    public bool Draining => _draining;

    // Runs before any hosted service's StopAsync, Kestrel's included.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var delay = options.Value.ShutdownDelay;
        Log.Draining(logger, delay.TotalSeconds);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out first: stop now.
            }
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("stopping: finishing requests in flight and the commit queue") : HealthCheckResult.Healthy("serving"));

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1090, Level = LogLevel.Information, Message = "Stopping: readiness is false; serving {Seconds} s more before the listener closes")]
        public static partial void Draining(ILogger logger, double seconds);
    }
}
