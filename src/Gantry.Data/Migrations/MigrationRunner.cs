using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Gantry.Data.Migrations;

/// <summary>The schema state: what is applied in the database against what this build knows.</summary>
public sealed record MigrationStatus(int AppliedVersion, int LatestVersion)
{
    public bool IsCurrent => AppliedVersion == LatestVersion;
}

/// <summary>Applies <see cref="Schema.Migrations"/> at start and reports whether the database is current.</summary>
public sealed partial class MigrationRunner(IMetadataDatabase database, ILogger<MigrationRunner> logger)
{
    // An arbitrary constant that names "Gantry migrations" for PostgreSQL's advisory lock, so that
    // replicas starting together apply each migration once.
    private const long PostgresMigrationLockKey = 0x47414E545259;

    private readonly IReadOnlyList<Migration> _migrations = Schema.Migrations;

    public async Task<MigrationStatus> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await EnsureHistoryTableAsync(connection, cancellationToken);

        var applied = await ReadAppliedVersionAsync(connection, cancellationToken);
        if (applied > _migrations[^1].Version)
        {
            throw new InvalidOperationException(
                $"The database is at schema version {applied}, newer than this Gantry build knows ({_migrations[^1].Version}). Upgrade Gantry instead of downgrading.");
        }

        foreach (var migration in _migrations.Where(m => m.Version > applied))
        {
            await ApplyOneAsync(connection, migration, cancellationToken);
        }

        return new MigrationStatus(await ReadAppliedVersionAsync(connection, cancellationToken), _migrations[^1].Version);
    }

    public async Task<MigrationStatus> GetStatusAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        new(await ReadAppliedVersionAsync(connection, cancellationToken), _migrations[^1].Version);

    private async Task ApplyOneAsync(DbConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        if (database.Provider == DatabaseProviders.PostgreSql)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@key)", new { key = PostgresMigrationLockKey }, transaction, cancellationToken: cancellationToken));
        }

        // Another replica may have applied it while we waited for the lock.
        var already = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM schema_migrations WHERE version = @version", new { version = migration.Version }, transaction, cancellationToken: cancellationToken));
        if (already == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.SqlFor(database.Provider), transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @appliedAt)",
                new { version = migration.Version, name = migration.Name, appliedAt = DateTimeOffset.UtcNow },
                transaction, cancellationToken: cancellationToken));
            Log.MigrationApplied(logger, migration.Version, migration.Name);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task EnsureHistoryTableAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var timestampType = database.Provider == DatabaseProviders.PostgreSql ? "TIMESTAMPTZ" : "TEXT";
        await connection.ExecuteAsync(new CommandDefinition(
            $"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {timestampType} NOT NULL)",
            cancellationToken: cancellationToken));
    }

    private static async Task<int> ReadAppliedVersionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT MAX(version) FROM schema_migrations", cancellationToken: cancellationToken)) ?? 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied database migration {Version}: {Name}")]
        public static partial void MigrationApplied(ILogger logger, int version, string name);
    }
}
