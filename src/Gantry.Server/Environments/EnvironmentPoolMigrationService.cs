using Gantry.Server.Audit;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

/// <summary>
/// Runs the legacy pool migration (<see cref="EnvironmentManager.MigrateLegacyClaimsAsync"/>) once at start when
/// <see cref="EnvironmentOptions.MigrateAtStart"/> is on, and for the admin endpoint; each rewritten environment is
/// one <c>environment.migrate</c> audit record. A failure at start is logged and does not stop the server: the old
/// claims stay readable, listable and deletable, and the admin endpoint runs it again.
/// </summary>
public sealed partial class EnvironmentPoolMigrationService(
    EnvironmentManager environments,
    AuditLog audit,
    IOptions<EnvironmentOptions> options,
    ILogger<EnvironmentPoolMigrationService> logger) : IHostedService
{
    /// <summary>Migrates and audits; <paramref name="record"/> writes the audit record (the system or the calling admin).</summary>
    public async Task<IReadOnlyList<MigratedEnvironment>> RunAsync(Func<MigratedEnvironment, Task> record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var migrated = await environments.MigrateLegacyClaimsAsync(cancellationToken);
        foreach (var environment in migrated)
        {
            await record(environment);
            Log.Migrated(logger, environment.Name, environment.Pool, environment.Detail);
        }

        return migrated;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateAtStart)
        {
            return;
        }

        try
        {
            await RunAsync(e => audit.RecordSystemAsync(EnvironmentAuditActions.Migrated, e.Pool, e.Name, e.Detail), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Failed(logger, e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3721, Level = LogLevel.Information, Message = "Environment {Name} in pool {Pool} migrated to node pools: {Detail}")]
        public static partial void Migrated(ILogger logger, string name, string pool, string detail);

        [LoggerMessage(EventId = 3722, Level = LogLevel.Warning, Message = "The node pool migration of environments failed at start; POST /api/v1/admin/environments/migrate runs it again")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
