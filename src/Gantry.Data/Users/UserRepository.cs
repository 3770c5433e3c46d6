using Dapper;

namespace Gantry.Data.Users;

public sealed class UserRepository(IMetadataDatabase database)
{
    private const string Columns =
        """
        id AS Id, username AS Username, email AS Email, password_hash AS PasswordHash, is_platform_admin AS IsPlatformAdmin,
        external_issuer AS ExternalIssuer, external_subject AS ExternalSubject, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task InsertAsync(UserRecord user, CancellationToken cancellationToken = default)
    {
        await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO users (id, username, email, password_hash, is_platform_admin, external_issuer, external_subject, created_at, updated_at)
                VALUES (@Id, @Username, @Email, @PasswordHash, @IsPlatformAdmin, @ExternalIssuer, @ExternalSubject, @CreatedAt, @UpdatedAt)
                """,
                user, cancellationToken: cancellationToken));
        });
    }

    /// <summary>Inserts the user unless the username is taken; answers whether it did.</summary>
    public async Task<bool> TryInsertAsync(UserRecord user, CancellationToken cancellationToken = default)
    {
        return await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO users (id, username, email, password_hash, is_platform_admin, external_issuer, external_subject, created_at, updated_at)
                VALUES (@Id, @Username, @Email, @PasswordHash, @IsPlatformAdmin, @ExternalIssuer, @ExternalSubject, @CreatedAt, @UpdatedAt)
                ON CONFLICT DO NOTHING
                """,
                user, cancellationToken: cancellationToken)) == 1;
        });
    }

    public async Task<UserRecord?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE username = @username", new { username }, cancellationToken: cancellationToken));
    }

    public async Task<UserRecord?> FindByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<UserRecord?> FindByExternalAsync(string issuer, string subject, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE external_issuer = @issuer AND external_subject = @subject",
            new { issuer, subject }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<UserRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM users ORDER BY username", cancellationToken: cancellationToken))];
    }

    /// <summary>Writes email, password hash and the platform-admin flag; answers false when the user does not exist.</summary>
    public async Task<bool> UpdateAsync(UserRecord user, CancellationToken cancellationToken = default)
    {
        return await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE users SET email = @Email, password_hash = @PasswordHash, is_platform_admin = @IsPlatformAdmin, updated_at = @UpdatedAt WHERE id = @Id",
                user, cancellationToken: cancellationToken)) == 1;
        });
    }

    /// <summary>Deletes the user with their memberships and refresh tokens.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        return await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM users WHERE id = @id", new { id }, cancellationToken: cancellationToken)) == 1;
        });
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM users", cancellationToken: cancellationToken));
    }
}
