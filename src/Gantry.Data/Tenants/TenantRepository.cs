using Dapper;

namespace Gantry.Data.Tenants;

public sealed record TenantRecord
{
    public required string Name { get; init; }

    public string? DisplayName { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

public sealed class TenantRepository(IMetadataDatabase database)
{
    /// <summary>Creates the tenant unless one of that name exists; answers whether it created it.</summary>
    public async Task<bool> TryInsertAsync(TenantRecord tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO tenants (name, display_name, created_at) VALUES (@Name, @DisplayName, @CreatedAt) ON CONFLICT (name) DO NOTHING",
            tenant, cancellationToken: cancellationToken));
        return rows == 1;
    }

    public async Task<TenantRecord?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TenantRecord>(new CommandDefinition(
            "SELECT name AS Name, display_name AS DisplayName, created_at AS CreatedAt FROM tenants WHERE name = @name",
            new { name }, cancellationToken: cancellationToken));
    }
}
