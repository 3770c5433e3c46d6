using Dapper;

namespace Gantry.Data.Identity;

/// <summary>One audited event: who (actor), did what (action, outcome), to what (tenant, target), when and from where.</summary>
public sealed record AuditEventRecord
{
    public long Id { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public string? ActorId { get; init; }

    public string? ActorName { get; init; }

    public string? ActorKind { get; init; }

    public required string Action { get; init; }

    public required string Outcome { get; init; }

    public string? Tenant { get; init; }

    public string? Target { get; init; }

    public string? ClientIp { get; init; }

    public string? Detail { get; init; }
}

public sealed class AuditRepository(IMetadataDatabase database)
{
    /// <remarks>Goes through <see cref="IMetadataDatabase.WriteAsync"/>: on SQLite, events recorded together are committed together.</remarks>
    public Task InsertAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken = default) =>
        database.WriteAsync((connection, transaction, cancel) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_events (occurred_at, actor_id, actor_name, actor_kind, action, outcome, tenant, target, client_ip, detail)
            VALUES (@OccurredAt, @ActorId, @ActorName, @ActorKind, @Action, @Outcome, @Tenant, @Target, @ClientIp, @Detail)
            """,
            auditEvent, transaction, cancellationToken: cancel)), cancellationToken);

    /// <summary>The newest events first, older than <paramref name="beforeId"/> when given, optionally of one tenant.</summary>
    public async Task<IReadOnlyList<AuditEventRecord>> ListAsync(string? tenant, long? beforeId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<AuditEventRecord>(new CommandDefinition(
            """
            SELECT id AS Id, occurred_at AS OccurredAt, actor_id AS ActorId, actor_name AS ActorName, actor_kind AS ActorKind,
                   action AS Action, outcome AS Outcome, tenant AS Tenant, target AS Target, client_ip AS ClientIp, detail AS Detail
            FROM audit_events
            WHERE (@tenant IS NULL OR tenant = @tenant) AND (@beforeId IS NULL OR id < @beforeId)
            ORDER BY id DESC
            LIMIT @limit
            """,
            new { tenant, beforeId, limit }, cancellationToken: cancellationToken))];
    }
}
