using System.Data.Common;
using Dapper;

namespace Gantry.Data.Status;

/// <summary>The status timeline: appended by commits and engine reports, read by the API and the status stream.</summary>
public sealed class StatusEventRepository(IMetadataDatabase database)
{
    private const string Columns = """
        id AS Id, tenant AS Tenant, target_kind AS TargetKind, target AS Target, component AS Component, source AS Source, cluster AS Cluster,
        phase AS Phase, reason AS Reason, message AS Message, generation AS Generation, revision AS Revision,
        engine_revision AS EngineRevision, applied AS Applied, occurred_at AS OccurredAt, received_at AS ReceivedAt
        """;

    /// <summary>Appends one event inside the caller's transaction; returns its id (the stream's event id).</summary>
    public static Task<long> InsertAsync(DbConnection connection, DbTransaction? transaction, StatusEventRecord record, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO status_events (tenant, target_kind, target, component, source, cluster, phase, reason, message, generation, revision,
                                       engine_revision, applied, occurred_at, received_at)
            VALUES (@Tenant, @TargetKind, @Target, @Component, @Source, @Cluster, @Phase, @Reason, @Message, @Generation, @Revision,
                    @EngineRevision, @Applied, @OccurredAt, @ReceivedAt)
            RETURNING id
            """,
            record, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// Records an engine's report on an instance, in one transaction: refuses it (nothing stored) when it is older than
    /// the status the instance has and not about a later change; otherwise appends it to the timeline and moves the
    /// instance's status when it is about the current change (or a later one) and not older than that status.
    /// </summary>
    public async Task<InstanceReportResult> ReportOnInstanceAsync(StatusEventRecord report, CancellationToken cancellationToken = default)
    {
        var result = new InstanceReportResult(ReportOutcome.NoInstance, null, null);
        await database.WriteAsync(async (connection, transaction, cancel) =>
        {
            result = new InstanceReportResult(ReportOutcome.NoInstance, null, null);
            var current = await connection.QuerySingleOrDefaultAsync<(string Revision, long Generation, DateTimeOffset? ObservedAt)?>(new CommandDefinition(
                "SELECT revision, generation, status_observed_at FROM instances WHERE tenant = @Tenant AND name = @Target", report, transaction, cancellationToken: cancel));
            if (current is not { } instance)
            {
                return;
            }

            if (instance.ObservedAt > report.OccurredAt && (report.Generation ?? 0) <= instance.Generation)
            {
                result = new InstanceReportResult(ReportOutcome.Stale, null, instance.ObservedAt);
                return;
            }

            // The conditions live in the statement too, so two reports racing cannot apply out of order.
            var applied = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE instances SET status = @Phase, status_message = @Message, status_reason = @Reason, status_cluster = @Cluster,
                                     status_generation = @Generation, engine_revision = @EngineRevision, status_observed_at = @OccurredAt
                WHERE tenant = @Tenant AND name = @Target AND generation <= @Generation
                  AND (status_observed_at IS NULL OR status_observed_at <= @OccurredAt)
                """,
                report, transaction, cancellationToken: cancel)) == 1;
            var record = report with { Applied = applied, Revision = applied ? instance.Revision : report.Revision };
            result = new InstanceReportResult(applied ? ReportOutcome.Applied : ReportOutcome.Kept,
                record with { Id = await InsertAsync(connection, transaction, record, cancel) }, instance.ObservedAt);
        }, cancellationToken);
        return result;
    }

    /// <summary>
    /// Records an engine's report on one service of an environment of the report's tenant (its pool): appended to the
    /// environment's timeline, in one transaction with the check that the environment is there and names the service.
    /// What it means for the environment is judged when read, against the versions the environment's claim resolved.
    /// </summary>
    public async Task<InstanceReportResult> ReportOnEnvironmentAsync(StatusEventRecord report, CancellationToken cancellationToken = default)
    {
        var result = new InstanceReportResult(ReportOutcome.NoInstance, null, null);
        await database.WriteAsync(async (connection, transaction, cancel) =>
        {
            result = new InstanceReportResult(ReportOutcome.NoInstance, null, null);
            var services = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT services FROM environments WHERE name = @Target AND pool = @Tenant", report, transaction, cancellationToken: cancel));
            if (services is null || report.Component is null || !services.Contains($",{report.Component},", StringComparison.Ordinal))
            {
                return;
            }

            var record = report with { Applied = true };
            result = new InstanceReportResult(ReportOutcome.Applied, record with { Id = await InsertAsync(connection, transaction, record, cancel) }, null);
        }, cancellationToken);
        return result;
    }

    /// <summary>The newest event of each component of a target (each service of an environment).</summary>
    public async Task<IReadOnlyList<StatusEventRecord>> LatestPerComponentAsync(
        string tenant, string targetKind, string target, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<StatusEventRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM status_events WHERE id IN (
                SELECT MAX(id) FROM status_events
                WHERE tenant = @tenant AND target_kind = @targetKind AND target = @target AND component IS NOT NULL
                GROUP BY component)
            ORDER BY component
            """,
            new { tenant, targetKind, target }, cancellationToken: cancellationToken))];
    }

    /// <summary>One target's timeline, newest first, older than <paramref name="beforeId"/> when given.</summary>
    public async Task<IReadOnlyList<StatusEventRecord>> ListForTargetAsync(
        string tenant, string targetKind, string target, long? beforeId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<StatusEventRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM status_events
            WHERE tenant = @tenant AND target_kind = @targetKind AND target = @target AND (@beforeId IS NULL OR id < @beforeId)
            ORDER BY id DESC LIMIT @limit
            """,
            new { tenant, targetKind, target, beforeId, limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>A tenant's events after <paramref name="afterId"/>, oldest first: what a resumed stream missed.</summary>
    public async Task<IReadOnlyList<StatusEventRecord>> ListAfterAsync(string tenant, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<StatusEventRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM status_events WHERE tenant = @tenant AND id > @afterId ORDER BY id LIMIT @limit",
            new { tenant, afterId, limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>Every tenant's events after <paramref name="afterId"/>, oldest first: what the status feed reads.</summary>
    public async Task<IReadOnlyList<StatusEventRecord>> ListAllAfterAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<StatusEventRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM status_events WHERE id > @afterId ORDER BY id LIMIT @limit",
            new { afterId, limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>The newest event's id, or 0 when there is none: where a feed that starts now begins.</summary>
    public async Task<long> LastIdAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(id) FROM status_events", cancellationToken: cancellationToken)) ?? 0;
    }

    /// <summary>Keeps the newest <paramref name="keepPerTarget"/> events of each target; returns how many went.</summary>
    public async Task<int> PruneAsync(int keepPerTarget, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM status_events WHERE id IN (
                SELECT id FROM (
                    SELECT id, ROW_NUMBER() OVER (PARTITION BY tenant, target_kind, target ORDER BY id DESC) AS position
                    FROM status_events) ranked
                WHERE position > @keepPerTarget)
            """,
            new { keepPerTarget }, cancellationToken: cancellationToken));
    }
}
