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
    public Task<IReadOnlyList<AuditEventRecord>> ListAsync(string? tenant, long? beforeId, int limit, CancellationToken cancellationToken = default) =>
        ListAsync(new AuditQuery { Tenant = tenant, BeforeId = beforeId, Limit = limit }, cancellationToken);

    /// <summary>The newest events first that match every filter given; filters are parameters, never SQL text.</summary>
    public async Task<IReadOnlyList<AuditEventRecord>> ListAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        // "instance.*" (or any text ending in '*') filters on the action's prefix; anything else is the exact action.
        var prefix = query.Action is { } action && action.EndsWith('*') ? SqlLike.Escape(action[..^1]) + "%" : null;
        var exact = prefix is null ? query.Action : null;
        // Each filter given adds a fixed clause (PostgreSQL cannot type a parameter that is only ever compared with NULL);
        // the values are parameters, never SQL text.
        var clauses = new List<string> { "1 = 1" };
        void When(bool given, string clause)
        {
            if (given)
            {
                clauses.Add(clause);
            }
        }

        When(query.Tenant is not null, "tenant = @Tenant");
        When(query.BeforeId is not null, "id < @BeforeId");
        When(query.Actor is not null, "(actor_id = @Actor OR actor_name = @Actor)");
        When(exact is not null, "action = @exact");
        When(prefix is not null, "action LIKE @prefix ESCAPE '\\'");
        When(query.Target is not null, "target = @Target");
        When(query.Since is not null, "occurred_at >= @Since");
        When(query.Until is not null, "occurred_at < @Until");
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<AuditEventRecord>(new CommandDefinition(
            $"""
            SELECT id AS Id, occurred_at AS OccurredAt, actor_id AS ActorId, actor_name AS ActorName, actor_kind AS ActorKind,
                   action AS Action, outcome AS Outcome, tenant AS Tenant, target AS Target, client_ip AS ClientIp, detail AS Detail
            FROM audit_events
            WHERE {string.Join(" AND ", clauses)}
            ORDER BY id DESC
            LIMIT @Limit
            """,
            new { query.Tenant, query.BeforeId, query.Actor, exact, prefix, query.Target, query.Since, query.Until, query.Limit },
            cancellationToken: cancellationToken))];
    }
}

/// <summary>Filters of the audit list; all optional, combined with AND.</summary>
public sealed record AuditQuery
{
    public string? Tenant { get; init; }

    /// <summary>The actor's id or name.</summary>
    public string? Actor { get; init; }

    /// <summary>An action (<c>instance.scale</c>), or a prefix ending in <c>*</c> (<c>instance.*</c>).</summary>
    public string? Action { get; init; }

    public string? Target { get; init; }

    /// <summary>Events at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Events before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    public long? BeforeId { get; init; }

    public int Limit { get; init; } = 100;
}
