using Dapper;

namespace Gantry.Data.Identity;

/// <summary>An API key as stored: its SHA-256, never the secret. <see cref="Prefix"/> is the first characters, to recognise a key in a list.</summary>
public sealed record ApiKeyRecord
{
    public required string Id { get; init; }

    public required string Tenant { get; init; }

    public required string Name { get; init; }

    public required string Role { get; init; }

    public required string Prefix { get; init; }

    public required string SecretHash { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }
}

public sealed class ApiKeyRepository(IMetadataDatabase database)
{
    private const string Columns =
        "id AS Id, tenant AS Tenant, name AS Name, role AS Role, prefix AS Prefix, secret_hash AS SecretHash, created_by AS CreatedBy, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt";

    public async Task InsertAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_keys (id, tenant, name, role, prefix, secret_hash, created_by, created_at, expires_at, revoked_at)
            VALUES (@Id, @Tenant, @Name, @Role, @Prefix, @SecretHash, @CreatedBy, @CreatedAt, @ExpiresAt, @RevokedAt)
            """,
            key, cancellationToken: cancellationToken));
    }

    public async Task<ApiKeyRecord?> FindByHashAsync(string secretHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE secret_hash = @secretHash", new { secretHash }, cancellationToken: cancellationToken));
    }

    public async Task<ApiKeyRecord?> FindAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE tenant = @tenant AND id = @id", new { tenant, id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListForTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE tenant = @tenant ORDER BY created_at, id", new { tenant }, cancellationToken: cancellationToken))];
    }

    /// <summary>Revokes the key; answers false when it does not exist in that tenant or was revoked already.</summary>
    public async Task<bool> RevokeAsync(string tenant, string id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @now WHERE tenant = @tenant AND id = @id AND revoked_at IS NULL",
            new { tenant, id, now }, cancellationToken: cancellationToken)) == 1;
    }
}
