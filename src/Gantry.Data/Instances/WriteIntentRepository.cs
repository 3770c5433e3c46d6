using System.Data.Common;
using Dapper;

namespace Gantry.Data.Instances;

/// <summary>An instance change that was about to be committed to Git when it was recorded (table <c>instance_write_intents</c>).</summary>
public sealed record WriteIntent
{
    public required string Tenant { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// Write intents: recorded under the tenant's lock right before a change is committed to Git, cleared with the index
/// row written after it. One that stays means its writer died between the commit and the row, so the row may lag Git
/// until something repairs it from there.
/// </summary>
public sealed class WriteIntentRepository(IMetadataDatabase database)
{
    /// <summary>Records (or renews) an intent for each instance, in one transaction.</summary>
    public Task RecordAsync(IReadOnlyCollection<(string Tenant, string Name)> instances, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        if (instances.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Dapper runs the statement once per element, all inside the one transaction WriteAsync gives.
        var rows = instances.Select(i => new { tenant = i.Tenant, name = i.Name, now }).ToList();
        return database.WriteAsync((connection, transaction, cancel) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO instance_write_intents (tenant, name, created_at) VALUES (@tenant, @name, @now)
            ON CONFLICT (tenant, name) DO UPDATE SET created_at = excluded.created_at
            """, rows, transaction, cancellationToken: cancel)), cancellationToken);
    }

    /// <summary>Clears the instance's intent, if any.</summary>
    public Task ClearAsync(string tenant, string name, CancellationToken cancellationToken = default) =>
        database.WriteAsync((connection, transaction, cancel) => ClearAsync(connection, transaction, tenant, name, cancel), cancellationToken);

    /// <summary>Intents recorded at or before <paramref name="before"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<WriteIntent>> ListOlderThanAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<WriteIntent>(new CommandDefinition(
            """
            SELECT tenant AS Tenant, name AS Name, created_at AS CreatedAt FROM instance_write_intents
            WHERE created_at <= @before ORDER BY created_at, tenant, name LIMIT @limit
            """, new { before, limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Clears the instance's intent in the caller's transaction: with the index row it stood for.</summary>
    internal static Task<int> ClearAsync(DbConnection connection, DbTransaction transaction, string tenant, string name, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM instance_write_intents WHERE tenant = @tenant AND name = @name", new { tenant, name }, transaction, cancellationToken: cancellationToken));
}
