using System.Data.Common;
using Dapper;

namespace Gantry.Data.Instances;

public sealed class InstanceRepository(IMetadataDatabase database)
{
    private const string Columns = """
        tenant AS Tenant, name AS Name, offering AS Offering, version AS Version, chart_version AS ChartVersion,
        namespace AS Namespace, revision AS Revision, changed_by AS ChangedBy, generation AS Generation, status AS Status, status_message AS StatusMessage,
        status_reason AS StatusReason, status_cluster AS StatusCluster, status_generation AS StatusGeneration,
        engine_revision AS EngineRevision, status_observed_at AS StatusObservedAt, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<InstanceRecord?> FindAsync(string tenant, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<InstanceRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM instances WHERE tenant = @tenant AND name = @name", new { tenant, name }, cancellationToken: cancellationToken));
    }

    /// <summary>A page of one tenant's instances, ordered by name; filters are parameters, never SQL text.</summary>
    public async Task<IReadOnlyList<InstanceRecord>> ListAsync(string tenant, InstanceQuery query, CancellationToken cancellationToken = default)
    {
        var prefixPattern = query.NamePrefix is null ? null : SqlLike.Escape(query.NamePrefix) + "%";
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<InstanceRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM instances
            WHERE tenant = @tenant
              AND (@offering IS NULL OR offering = @offering)
              AND (@status IS NULL OR status = @status)
              AND (@prefix IS NULL OR name LIKE @prefix ESCAPE '\')
              AND (@after IS NULL OR name > @after)
            ORDER BY name
            LIMIT @limit
            """,
            new { tenant, offering = query.Offering, status = query.Status, prefix = prefixPattern, after = query.After, limit = query.Limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Every instance of an offering, of one tenant or all, ordered by tenant and name: what a fleet operation selects from.</summary>
    public async Task<IReadOnlyList<InstanceRecord>> ListByOfferingAsync(string offering, string? tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<InstanceRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM instances WHERE offering = @offering AND (@tenant IS NULL OR tenant = @tenant) ORDER BY tenant, name",
            new { offering, tenant }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>How many instances of the offering (one tenant's, or all) run each chart version in each phase: one grouped query.</summary>
    public async Task<IReadOnlyList<FleetCount>> CountFleetAsync(string offering, string? tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<FleetCount>(new CommandDefinition(
            """
            SELECT chart_version AS ChartVersion, status AS Phase, COUNT(*) AS Count FROM instances
            WHERE offering = @offering AND (@tenant IS NULL OR tenant = @tenant)
            GROUP BY chart_version, status
            """, new { offering, tenant }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<int> CountAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM instances WHERE tenant = @tenant", new { tenant }, cancellationToken: cancellationToken));
    }

    /// <summary>Inserts or replaces the row; <see cref="InstanceRecord.CreatedAt"/> of an existing row is kept.</summary>
    /// <remarks>One row on its own: it goes through <see cref="IMetadataDatabase.WriteAsync"/> (group commit on SQLite).</remarks>
    public Task UpsertAsync(InstanceRecord record, CancellationToken cancellationToken = default) =>
        database.WriteAsync((connection, transaction, cancel) => UpsertAsync(connection, transaction, record, cancel), cancellationToken);

    /// <summary>
    /// Upserts the row and adds its Committed event to the instance's timeline, in one transaction; returns the event's id.
    /// The instance's write intent is cleared in the same transaction: the row it stood for is written.
    /// </summary>
    public async Task<long> UpsertAsync(InstanceRecord record, Status.StatusEventRecord committed, CancellationToken cancellationToken = default)
    {
        long id = 0;
        await database.WriteAsync(async (connection, transaction, cancel) =>
        {
            await UpsertAsync(connection, transaction, record, cancel);
            id = await Status.StatusEventRepository.InsertAsync(connection, transaction, committed, cancel);
            await WriteIntentRepository.ClearAsync(connection, transaction, record.Tenant, record.Name, cancel);
        }, cancellationToken);
        return id;
    }

    /// <summary>
    /// Removes the row, the instance's status timeline and its pin, together: a new instance of the same name starts
    /// afresh. Its write intent goes too: the deletion it stood for is indexed.
    /// </summary>
    public Task DeleteAsync(string tenant, string name, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (connection, transaction, cancel) =>
        {
            await WriteIntentRepository.ClearAsync(connection, transaction, tenant, name, cancel);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM instances WHERE tenant = @tenant AND name = @name", new { tenant, name }, transaction, cancellationToken: cancel));
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM status_events WHERE tenant = @tenant AND target_kind = 'instance' AND target = @name", new { tenant, name }, transaction, cancellationToken: cancel));
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM instance_pins WHERE tenant = @tenant AND name = @name", new { tenant, name }, transaction, cancellationToken: cancel));
        }, cancellationToken);

    /// <summary>Replaces the whole index in one transaction (reindex from Git): readers see the old or the new, never half.</summary>
    public async Task ReplaceAllAsync(IEnumerable<InstanceRecord> records, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM instances", transaction: transaction, cancellationToken: cancellationToken));
        foreach (var record in records)
        {
            await UpsertAsync(connection, transaction, record, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static Task<int> UpsertAsync(DbConnection connection, DbTransaction? transaction, InstanceRecord record, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO instances (tenant, name, offering, version, chart_version, namespace, revision, changed_by, generation, status, status_message,
                                   status_reason, status_cluster, status_generation, engine_revision, status_observed_at, created_at, updated_at)
            VALUES (@Tenant, @Name, @Offering, @Version, @ChartVersion, @Namespace, @Revision, @ChangedBy, @Generation, @Status, @StatusMessage,
                    @StatusReason, @StatusCluster, @StatusGeneration, @EngineRevision, @StatusObservedAt, @CreatedAt, @UpdatedAt)
            ON CONFLICT (tenant, name) DO UPDATE SET
                offering = excluded.offering, version = excluded.version, chart_version = excluded.chart_version,
                namespace = excluded.namespace, revision = excluded.revision, changed_by = excluded.changed_by, generation = excluded.generation,
                status = excluded.status, status_message = excluded.status_message, status_reason = excluded.status_reason, status_cluster = excluded.status_cluster,
                status_generation = excluded.status_generation, engine_revision = excluded.engine_revision,
                status_observed_at = excluded.status_observed_at, updated_at = excluded.updated_at
            """,
            record, transaction, cancellationToken: cancellationToken));
}

/// <summary>One group of <see cref="InstanceRepository.CountFleetAsync"/>.</summary>
public sealed record FleetCount
{
    public required string ChartVersion { get; init; }

    public required string Phase { get; init; }

    public required long Count { get; init; }
}
