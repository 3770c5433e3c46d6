using Dapper;

namespace Gantry.Data.Tenants;

/// <summary>One user's role in one tenant; <see cref="Role"/> is a <c>TenantRoles</c> name.</summary>
public sealed record MembershipRecord
{
    public required string Tenant { get; init; }

    public required string UserId { get; init; }

    public required string Role { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

public sealed class MembershipRepository(IMetadataDatabase database)
{
    private const string Columns = "tenant AS Tenant, user_id AS UserId, role AS Role, created_at AS CreatedAt";

    /// <summary>Adds the membership or changes its role; answers true when it was new.</summary>
    public async Task<bool> UpsertAsync(MembershipRecord membership, CancellationToken cancellationToken = default)
    {
        return await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE memberships SET role = @Role WHERE tenant = @Tenant AND user_id = @UserId", membership, cancellationToken: cancellationToken));
            if (updated == 1)
            {
                return false;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO memberships (tenant, user_id, role, created_at) VALUES (@Tenant, @UserId, @Role, @CreatedAt) ON CONFLICT (tenant, user_id) DO UPDATE SET role = @Role",
                membership, cancellationToken: cancellationToken));
            return true;
        });
    }

    public async Task<bool> DeleteAsync(string tenant, string userId, CancellationToken cancellationToken = default)
    {
        return await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM memberships WHERE tenant = @tenant AND user_id = @userId", new { tenant, userId }, cancellationToken: cancellationToken)) == 1;
        });
    }

    public async Task<IReadOnlyList<MembershipRecord>> ListForTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<MembershipRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM memberships WHERE tenant = @tenant ORDER BY user_id", new { tenant }, cancellationToken: cancellationToken))];
    }

    public async Task<IReadOnlyList<MembershipRecord>> ListForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<MembershipRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM memberships WHERE user_id = @userId ORDER BY tenant", new { userId }, cancellationToken: cancellationToken))];
    }
}
