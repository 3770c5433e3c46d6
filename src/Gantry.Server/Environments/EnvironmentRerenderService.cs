using Gantry.Server.Audit;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

/// <summary>
/// Renders every environment again at start (after the node pool migration) when
/// <see cref="EnvironmentOptions.RerenderAtStart"/> is on: a changed add-on bundle or node pool reaches every
/// environment in one batch (one commit for the static ones), recorded as one <c>environments.rerender</c> audit
/// record. It runs beside the start, not before it (with thousands of environments it takes a while, and every write
/// is serialized with the API's anyway). A failure is logged; the admin endpoint runs it again.
/// </summary>
public sealed partial class EnvironmentRerenderService(
    EnvironmentManager environments,
    AuditLog audit,
    IOptions<EnvironmentOptions> options,
    ILogger<EnvironmentRerenderService> logger) : BackgroundService
{
    /// <summary>Re-renders and records the outcome with <paramref name="record"/> when anything changed.</summary>
    public async Task<RerenderResult> RunAsync(string? type, Func<string, Task> record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var result = await environments.RerenderAsync(type, cancellationToken);
        if (result.Rerendered.Count > 0)
        {
            var names = string.Join(", ", result.Rerendered.Take(20)) + (result.Rerendered.Count > 20 ? ", ..." : string.Empty);
            await record($"{result.Rerendered.Count} of {result.Checked} environments rendered again{(result.Revision is null ? string.Empty : $" (static ones in {result.Revision})")}: {names}");
            Log.Rerendered(logger, result.Rerendered.Count, result.Checked);
        }

        return result;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RerenderAtStart)
        {
            return;
        }

        try
        {
            await RunAsync(null, detail => audit.RecordSystemAsync(EnvironmentAuditActions.Rerendered, detail: detail), stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Failed(logger, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3723, Level = LogLevel.Information, Message = "Rendered {Count} of {Checked} environments again: the platform configuration changed")]
        public static partial void Rerendered(ILogger logger, int count, int @checked);

        [LoggerMessage(EventId = 3724, Level = LogLevel.Warning, Message = "Rendering environments again at start failed; POST /api/v1/admin/environments/rerender runs it again")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
