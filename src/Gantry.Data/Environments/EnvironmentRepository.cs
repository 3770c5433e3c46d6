using System.Data.Common;
using Dapper;

namespace Gantry.Data.Environments;

/// <summary>The environment index (migrations 5 and 12): lists, searches and expiry scans without reading every claim.</summary>
public sealed class EnvironmentRepository(IMetadataDatabase database)
{
    private const string Columns = """
        name AS Name, pool AS Pool, type AS Type, user_name AS UserName, deployment_method AS DeploymentMethod,
        services AS Services, service_versions AS ServiceVersions, revision AS Revision, created_at AS CreatedAt, expires_at AS ExpiresAt, updated_at AS UpdatedAt
        """;

    public async Task<EnvironmentRecord?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<EnvironmentRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM environments WHERE name = @name", new { name }, cancellationToken: cancellationToken));
    }

    /// <summary>A page of environments ordered by name; every filter is a parameter, never SQL text.</summary>
    public async Task<IReadOnlyList<EnvironmentRecord>> ListAsync(EnvironmentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = query.Text is null ? null : "%" + SqlLike.Escape(query.Text.ToLowerInvariant()) + "%";
        var service = query.Service is null ? null : "%," + SqlLike.Escape(query.Service) + ",%";
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EnvironmentRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM environments
            WHERE (@all OR @pools LIKE '%,' || pool || ',%')
              AND (@type IS NULL OR type = @type)
              AND (@pool IS NULL OR pool = @pool)
              AND (@user IS NULL OR user_name = @user)
              AND (@service IS NULL OR services LIKE @service ESCAPE '\')
              AND (@anyExpiry OR (expires_at IS NOT NULL AND expires_at < @expiringBefore))
              AND (@text IS NULL OR LOWER(name) LIKE @text ESCAPE '\' OR LOWER(pool) LIKE @text ESCAPE '\'
                   OR LOWER(user_name) LIKE @text ESCAPE '\' OR LOWER(services) LIKE @text ESCAPE '\')
              AND (@after IS NULL OR name > @after)
            ORDER BY name
            LIMIT @limit
            """,
            new
            {
                all = query.Pools is null,
                // Pools are DNS-1123 labels (no LIKE wildcards): one framed string works alike on SQLite and PostgreSQL,
                // where Dapper's IN-list expansion does not.
                pools = EnvironmentRecord.FrameServices(query.Pools ?? []),
                type = query.Type,
                pool = query.Pool,
                user = query.User,
                service,
                // A null timestamp parameter has no type PostgreSQL can infer: a flag says whether to filter.
                anyExpiry = query.ExpiringBefore is null,
                expiringBefore = query.ExpiringBefore ?? DateTimeOffset.UnixEpoch,
                text,
                after = query.After,
                limit = query.Limit,
            },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Environments whose expiry is at or before <paramref name="now"/>, soonest first.</summary>
    public async Task<IReadOnlyList<EnvironmentRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EnvironmentRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM environments WHERE expires_at IS NOT NULL AND expires_at <= @now ORDER BY expires_at, name LIMIT @limit",
            new { now, limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Inserts or replaces the row; <see cref="EnvironmentRecord.CreatedAt"/> of an existing row is kept.</summary>
    public async Task UpsertAsync(EnvironmentRecord record, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await UpsertAsync(connection, null, record, cancellationToken);
    }

    /// <summary>Removes the row, the environment's status timeline and its image warnings, together: a new environment of the same name starts afresh.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM environments WHERE name = @name", new { name }, transaction, cancellationToken: cancellationToken)) > 0;
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM status_events WHERE target_kind = 'environment' AND target = @name", new { name }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM environment_image_warnings WHERE environment = @name", new { name }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Replaces the whole index in one transaction (reindex): readers see the old or the new, never half.</summary>
    public async Task ReplaceAllAsync(IEnumerable<EnvironmentRecord> records, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM environments", transaction: transaction, cancellationToken: cancellationToken));
        foreach (var record in records)
        {
            await UpsertAsync(connection, transaction, record, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static Task<int> UpsertAsync(DbConnection connection, DbTransaction? transaction, EnvironmentRecord record, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO environments (name, pool, type, user_name, deployment_method, services, service_versions, revision, created_at, expires_at, updated_at)
            VALUES (@Name, @Pool, @Type, @UserName, @DeploymentMethod, @Services, @ServiceVersions, @Revision, @CreatedAt, @ExpiresAt, @UpdatedAt)
            ON CONFLICT (name) DO UPDATE SET
                pool = excluded.pool, type = excluded.type, user_name = excluded.user_name,
                deployment_method = excluded.deployment_method, services = excluded.services,
                service_versions = excluded.service_versions, revision = excluded.revision,
                expires_at = excluded.expires_at, updated_at = excluded.updated_at
            """,
            record, transaction, cancellationToken: cancellationToken));
}
