using Dapper;

namespace Gantry.Data.Instances;

/// <summary>Instance pins (table <c>instance_pins</c>).</summary>
public sealed class PinRepository(IMetadataDatabase database)
{
    private const string Columns = """
        tenant AS Tenant, name AS Name, version AS Version, reason AS Reason, expires_at AS ExpiresAt,
        pinned_by AS PinnedBy, pinned_at AS PinnedAt
        """;

    public async Task<PinRecord?> FindAsync(string tenant, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PinRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM instance_pins WHERE tenant = @tenant AND name = @name", new { tenant, name }, cancellationToken: cancellationToken));
    }

    /// <summary>The pins of one tenant's instances (every tenant's when null), expired ones included.</summary>
    public async Task<IReadOnlyList<PinRecord>> ListAsync(string? tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<PinRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM instance_pins WHERE @tenant IS NULL OR tenant = @tenant", new { tenant }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>How many instances of the offering (one tenant's, or all) hold a pin that has not expired at <paramref name="now"/>.</summary>
    public async Task<long> CountActiveAsync(string offering, string? tenant, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT COUNT(*) FROM instance_pins p JOIN instances i ON i.tenant = p.tenant AND i.name = p.name
            WHERE i.offering = @offering AND (@tenant IS NULL OR p.tenant = @tenant) AND (p.expires_at IS NULL OR p.expires_at > @now)
            """, new { offering, tenant, now }, cancellationToken: cancellationToken));
    }

    /// <summary>Pins whose expiry is at or before <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<PinRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<PinRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM instance_pins WHERE expires_at IS NOT NULL AND expires_at <= @now ORDER BY expires_at LIMIT @limit",
            new { now, limit }, cancellationToken: cancellationToken))).AsList();
    }

    public Task SetAsync(PinRecord pin, CancellationToken cancellationToken = default) =>
        database.WriteAsync((connection, transaction, cancel) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO instance_pins (tenant, name, version, reason, expires_at, pinned_by, pinned_at)
            VALUES (@Tenant, @Name, @Version, @Reason, @ExpiresAt, @PinnedBy, @PinnedAt)
            ON CONFLICT (tenant, name) DO UPDATE SET
                version = excluded.version, reason = excluded.reason, expires_at = excluded.expires_at,
                pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at
            """, pin, transaction, cancellationToken: cancel)), cancellationToken);

    /// <summary>Removes the pin; true when there was one.</summary>
    public Task<bool> DeleteAsync(string tenant, string name, CancellationToken cancellationToken = default) =>
        DeleteWhereAsync("tenant = @tenant AND name = @name", new { tenant, name }, cancellationToken);

    /// <summary>Removes this very pin only, so an expiry sweep never lifts a pin set again meanwhile; true when it was there.</summary>
    public Task<bool> DeleteExpiredAsync(PinRecord pin, CancellationToken cancellationToken = default) =>
        DeleteWhereAsync("tenant = @Tenant AND name = @Name AND pinned_at = @PinnedAt", pin, cancellationToken);

    private async Task<bool> DeleteWhereAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await database.WriteAsync(async (connection, transaction, cancel) => deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM instance_pins WHERE " + where, parameters, transaction, cancellationToken: cancel)), cancellationToken);
        return deleted > 0;
    }
}
