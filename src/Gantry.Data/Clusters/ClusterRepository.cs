using Dapper;

namespace Gantry.Data.Clusters;

public sealed class ClusterRepository(IMetadataDatabase database)
{
    private const string Columns = """
        name AS Name, engine AS Engine, notify_url AS NotifyUrl, secret_nonce AS SecretNonce, secret_hash AS SecretHash,
        created_by AS CreatedBy, created_at AS CreatedAt, rotated_at AS RotatedAt, last_event_at AS LastEventAt
        """;

    /// <summary>Inserts the cluster and its tenant bindings in one transaction; false when the name is taken.</summary>
    public async Task<bool> InsertAsync(ClusterRecord cluster, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO clusters (name, engine, notify_url, secret_nonce, secret_hash, created_by, created_at, rotated_at)
            VALUES (@Name, @Engine, @NotifyUrl, @SecretNonce, @SecretHash, @CreatedBy, @CreatedAt, @RotatedAt)
            ON CONFLICT (name) DO NOTHING
            """, cluster, transaction, cancellationToken: cancellationToken));
        if (inserted == 0)
        {
            return false;
        }

        foreach (var tenant in cluster.Tenants)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO cluster_tenants (cluster, tenant) VALUES (@cluster, @tenant)",
                new { cluster = cluster.Name, tenant }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<ClusterRecord?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var cluster = await connection.QuerySingleOrDefaultAsync<ClusterRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM clusters WHERE name = @name", new { name }, cancellationToken: cancellationToken));
        if (cluster is null)
        {
            return null;
        }

        var tenants = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT tenant FROM cluster_tenants WHERE cluster = @name ORDER BY tenant", new { name }, cancellationToken: cancellationToken));
        return cluster with { Tenants = tenants.AsList() };
    }

    public async Task<IReadOnlyList<ClusterRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var clusters = await connection.QueryAsync<ClusterRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM clusters ORDER BY name", cancellationToken: cancellationToken));
        var bindings = (await connection.QueryAsync<(string Cluster, string Tenant)>(new CommandDefinition(
                "SELECT cluster, tenant FROM cluster_tenants ORDER BY cluster, tenant", cancellationToken: cancellationToken)))
            .ToLookup(b => b.Cluster, b => b.Tenant, StringComparer.Ordinal);
        return [.. clusters.Select(c => c with { Tenants = bindings[c.Name].ToList() })];
    }

    /// <summary>The clusters bound to <paramref name="tenant"/>: the ones to tell of its commits.</summary>
    public async Task<IReadOnlyList<string>> ClustersOfTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT cluster FROM cluster_tenants WHERE tenant = @tenant ORDER BY cluster", new { tenant }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Replaces the cluster's notify URL and tenant bindings in one transaction; false when it is gone.</summary>
    public async Task<bool> UpdateAsync(string name, string? notifyUrl, IReadOnlyList<string> tenants, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE clusters SET notify_url = @notifyUrl WHERE name = @name", new { name, notifyUrl }, transaction, cancellationToken: cancellationToken)) == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM cluster_tenants WHERE cluster = @name", new { name }, transaction, cancellationToken: cancellationToken));
        foreach (var tenant in tenants)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO cluster_tenants (cluster, tenant) VALUES (@name, @tenant)", new { name, tenant }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM clusters WHERE name = @name", new { name }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> RotateSecretAsync(string name, string nonce, string hash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE clusters SET secret_nonce = @nonce, secret_hash = @hash, rotated_at = @now WHERE name = @name",
            new { name, nonce, hash, now }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Notes that the cluster reported (one small write; group-committed on SQLite).</summary>
    public Task TouchAsync(string name, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.WriteAsync((connection, transaction, cancel) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE clusters SET last_event_at = @now WHERE name = @name", new { name, now }, transaction, cancellationToken: cancel)), cancellationToken);
}
