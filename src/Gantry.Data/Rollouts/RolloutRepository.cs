using Dapper;

namespace Gantry.Data.Rollouts;

/// <summary>One row of <c>rollouts</c>: the rollout's document (JSON) and the columns lists filter on.</summary>
public sealed record RolloutRecord
{
    public required string Id { get; init; }

    public required string Offering { get; init; }

    /// <summary>The tenant a tenant admin's rollout stays within; null for a platform admin's.</summary>
    public string? Tenant { get; init; }

    public required string State { get; init; }

    public required string Document { get; init; }

    public required string StartedBy { get; init; }

    /// <summary>Counts the row's updates (optimistic concurrency).</summary>
    public long Version { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Rollouts (table <c>rollouts</c>).</summary>
public sealed class RolloutRepository(IMetadataDatabase database)
{
    private const string Columns = """
        id AS Id, offering AS Offering, tenant AS Tenant, state AS State, document AS Document, started_by AS StartedBy,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<RolloutRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RolloutRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM rollouts WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Newest first: all of them, or those of one tenant.</summary>
    public async Task<IReadOnlyList<RolloutRecord>> ListAsync(string? tenant, bool allTenants, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<RolloutRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM rollouts WHERE @all OR tenant = @tenant ORDER BY created_at DESC, id DESC LIMIT @limit",
            new { tenant, all = allTenants, limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The ids of rollouts in state <paramref name="first"/> or <paramref name="second"/>, oldest first: what the runner works on.</summary>
    public async Task<IReadOnlyList<string>> ListIdsInStateAsync(string first, string second, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM rollouts WHERE state = @first OR state = @second ORDER BY created_at", new { first, second }, cancellationToken: cancellationToken))).AsList();
    }

    public Task InsertAsync(RolloutRecord record, CancellationToken cancellationToken = default) =>
        database.WriteAsync((connection, transaction, cancel) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO rollouts (id, offering, tenant, state, document, started_by, version, created_at, updated_at)
            VALUES (@Id, @Offering, @Tenant, @State, @Document, @StartedBy, 1, @CreatedAt, @UpdatedAt)
            """, record, transaction, cancellationToken: cancel)), cancellationToken);

    /// <summary>Writes the row if it is still at <see cref="RolloutRecord.Version"/> (moving it one up); false when someone wrote it since.</summary>
    public async Task<bool> UpdateAsync(RolloutRecord record, CancellationToken cancellationToken = default)
    {
        var updated = 0;
        await database.WriteAsync(async (connection, transaction, cancel) => updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE rollouts SET state = @State, document = @Document, updated_at = @UpdatedAt, version = version + 1
            WHERE id = @Id AND version = @Version
            """, record, transaction, cancellationToken: cancel)), cancellationToken);
        return updated == 1;
    }
}
