using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Gantry.Data.Migrations;

/// <summary>
/// The schema state: the newest applied version against the newest this build knows, and how many known
/// migrations are not applied yet (a gap below <see cref="AppliedVersion"/> counts too).
/// </summary>
public sealed record MigrationStatus(int AppliedVersion, int LatestVersion, int Pending = 0)
{
    /// <summary>How many migrations the call that returned this status applied itself (0 when another process had).</summary>
    public int NewlyApplied { get; init; }

    public bool IsCurrent => AppliedVersion == LatestVersion && Pending == 0;
}

/// <summary>
/// Applies <see cref="Schema.Migrations"/> at start and reports whether the database is current. Each known
/// migration that is not recorded is applied, in version order, even below the newest applied one: features
/// developed side by side take version numbers independently, and a database that ran one of them first still
/// gets the other's migration once both are merged.
/// </summary>
public sealed partial class MigrationRunner
{
    // An arbitrary constant that names "Gantry migrations" for PostgreSQL's advisory lock, so that
    // replicas starting together apply each migration once.
    private const long PostgresMigrationLockKey = 0x47414E545259;

    private readonly IMetadataDatabase _database;
    private readonly ILogger<MigrationRunner> _logger;
    private readonly IReadOnlyList<Migration> _migrations;

    public MigrationRunner(IMetadataDatabase database, ILogger<MigrationRunner> logger)
        : this(database, logger, Schema.Migrations)
    {
    }

    /// <summary>A runner for another list of migrations; tests use it to check ordering and gaps.</summary>
    internal MigrationRunner(IMetadataDatabase database, ILogger<MigrationRunner> logger, IReadOnlyList<Migration> migrations)
    {
        _database = database;
        _logger = logger;
        _migrations = [.. migrations.OrderBy(m => m.Version)];
    }

    public async Task<MigrationStatus> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);

        // Pods that start together (the init containers of three replicas) queue here for the whole run: even the
        // history table's CREATE TABLE IF NOT EXISTS races in PostgreSQL (a unique violation in pg_type). The
        // per-migration transaction lock below stays for a runner that has not taken this one; a session may hold
        // both. SQLite needs nothing more: each migration's transaction takes the write lock (BEGIN IMMEDIATE).
        var postgres = _database.Provider == DatabaseProviders.PostgreSql;
        if (postgres)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = PostgresMigrationLockKey }, cancellationToken: cancellationToken));
        }

        try
        {
            return await ApplyLockedAsync(connection, cancellationToken);
        }
        finally
        {
            if (postgres)
            {
                // Unlocked explicitly: the connection goes back to the pool, where a session lock would outlive this run.
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)", new { key = PostgresMigrationLockKey }, cancellationToken: CancellationToken.None));
            }
        }
    }

    private async Task<MigrationStatus> ApplyLockedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await EnsureHistoryTableAsync(connection, cancellationToken);

        var applied = await ReadAppliedVersionsAsync(connection, cancellationToken);
        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > _migrations[^1].Version)
        {
            throw new InvalidOperationException(
                $"The database is at schema version {newest}, newer than this Gantry build knows ({_migrations[^1].Version}). Upgrade Gantry instead of downgrading.");
        }

        var newlyApplied = 0;
        foreach (var migration in _migrations.Where(m => !applied.Contains(m.Version)))
        {
            newlyApplied += await ApplyOneAsync(connection, migration, cancellationToken) ? 1 : 0;
        }

        return await GetStatusAsync(connection, cancellationToken) with { NewlyApplied = newlyApplied };
    }

    public async Task<MigrationStatus> GetStatusAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        var applied = await ReadAppliedVersionsAsync(connection, cancellationToken);
        return new MigrationStatus(applied.Count == 0 ? 0 : applied.Max(), _migrations[^1].Version, _migrations.Count(m => !applied.Contains(m.Version)));
    }

    private async Task<bool> ApplyOneAsync(DbConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        if (_database.Provider == DatabaseProviders.PostgreSql)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@key)", new { key = PostgresMigrationLockKey }, transaction, cancellationToken: cancellationToken));
        }

        // Another replica may have applied it while we waited for the lock.
        var already = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM schema_migrations WHERE version = @version", new { version = migration.Version }, transaction, cancellationToken: cancellationToken));
        if (already == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.SqlFor(_database.Provider), transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @appliedAt)",
                new { version = migration.Version, name = migration.Name, appliedAt = DateTimeOffset.UtcNow },
                transaction, cancellationToken: cancellationToken));
            Log.MigrationApplied(_logger, migration.Version, migration.Name);
        }

        await transaction.CommitAsync(cancellationToken);
        return already == 0;
    }

    private async Task EnsureHistoryTableAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var timestampType = _database.Provider == DatabaseProviders.PostgreSql ? "TIMESTAMPTZ" : "TEXT";
        await connection.ExecuteAsync(new CommandDefinition(
            $"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {timestampType} NOT NULL)",
            cancellationToken: cancellationToken));
    }

    private static async Task<HashSet<int>> ReadAppliedVersionsAsync(DbConnection connection, CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<int>(new CommandDefinition("SELECT version FROM schema_migrations", cancellationToken: cancellationToken))];

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied database migration {Version}: {Name}")]
        public static partial void MigrationApplied(ILogger logger, int version, string name);
    }
}
