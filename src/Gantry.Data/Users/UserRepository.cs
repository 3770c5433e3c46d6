using Dapper;

namespace Gantry.Data.Users;

public sealed class UserRepository(IMetadataDatabase database)
{
    private const string Columns =
        "id AS Id, username AS Username, email AS Email, password_hash AS PasswordHash, is_platform_admin AS IsPlatformAdmin, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task InsertAsync(UserRecord user, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (id, username, email, password_hash, is_platform_admin, created_at, updated_at)
            VALUES (@Id, @Username, @Email, @PasswordHash, @IsPlatformAdmin, @CreatedAt, @UpdatedAt)
            """,
            user, cancellationToken: cancellationToken));
    }

    public async Task<UserRecord?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE username = @username", new { username }, cancellationToken: cancellationToken));
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM users", cancellationToken: cancellationToken));
    }
}
