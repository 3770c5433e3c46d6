using Dapper;

namespace Gantry.Data.Identity;

/// <summary>
/// A refresh token as stored: only the SHA-256 of its secret. Tokens of one login form a family; presenting a
/// used token again revokes the whole family (RFC 9700 §4.14.2, refresh token rotation).
/// </summary>
public sealed record RefreshTokenRecord
{
    public required string Id { get; init; }

    public required string TokenHash { get; init; }

    public required string FamilyId { get; init; }

    public required string UserId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? UsedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }
}

public sealed class RefreshTokenRepository(IMetadataDatabase database)
{
    private const string Columns =
        "id AS Id, token_hash AS TokenHash, family_id AS FamilyId, user_id AS UserId, created_at AS CreatedAt, expires_at AS ExpiresAt, used_at AS UsedAt, revoked_at AS RevokedAt";

    public async Task InsertAsync(RefreshTokenRecord token, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, created_at, expires_at, used_at, revoked_at)
            VALUES (@Id, @TokenHash, @FamilyId, @UserId, @CreatedAt, @ExpiresAt, @UsedAt, @RevokedAt)
            """,
            token, cancellationToken: cancellationToken));
    }

    public async Task<RefreshTokenRecord?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RefreshTokenRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM refresh_tokens WHERE token_hash = @tokenHash", new { tokenHash }, cancellationToken: cancellationToken));
    }

    /// <summary>Marks the token used if nobody has used or revoked it yet; exactly one caller wins a race.</summary>
    public async Task<bool> TryMarkUsedAsync(string id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET used_at = @now WHERE id = @id AND used_at IS NULL AND revoked_at IS NULL",
            new { id, now }, cancellationToken: cancellationToken)) == 1;
    }

    // Revocations move the identity version like user and membership writes: the access tokens of a login are
    // checked against its family on every request, through the same cache (IsFamilyRevokedAsync).
    public Task<int> RevokeFamilyAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE refresh_tokens SET revoked_at = @now WHERE family_id = @familyId AND revoked_at IS NULL",
                new { familyId, now }, cancellationToken: cancellationToken));
        });

    public Task<int> RevokeForUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE refresh_tokens SET revoked_at = @now WHERE user_id = @userId AND revoked_at IS NULL",
                new { userId, now }, cancellationToken: cancellationToken));
        });

    /// <summary>Whether the login (refresh token family) <paramref name="familyId"/> was revoked (RFC 7009, or a reused refresh token).</summary>
    public async Task<bool> IsFamilyRevokedAsync(string familyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT 1 FROM refresh_tokens WHERE family_id = @familyId AND revoked_at IS NOT NULL LIMIT 1",
            new { familyId }, cancellationToken: cancellationToken)) is not null;
    }
}
