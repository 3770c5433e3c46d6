using System.Text.Json;
using Dapper;
using Gantry.Core.Identity;

namespace Gantry.Data.Tenants;

public sealed record TenantRecord
{
    public required string Name { get; init; }

    public string? DisplayName { get; init; }

    public TenantQuotas Quotas { get; init; } = new();

    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// Tenants and their quotas. Every instance change reads its tenant; where the database can say that no tenant
/// changed since (<see cref="IMetadataDatabase.IdentityVersion"/>: SQLite, which only this process writes), a tenant
/// read before is used again. Every write to tenants moves that version.
/// </summary>
public sealed class TenantRepository(IMetadataDatabase database)
{
    private readonly IdentityCache<string, TenantRecord?> _found = new(database, 10_000, StringComparer.Ordinal);

    private const string Columns =
        """
        name AS Name, display_name AS DisplayName, created_at AS CreatedAt, max_instances AS MaxInstances,
        max_replicas_per_instance AS MaxReplicasPerInstance, allowed_offerings AS AllowedOfferings,
        allowed_environment_types AS AllowedEnvironmentTypes
        """;

    /// <summary>Creates the tenant unless one of that name exists; answers whether it created it.</summary>
    public async Task<bool> TryInsertAsync(TenantRecord tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            var rows = await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO tenants (name, display_name, created_at, max_instances, max_replicas_per_instance, allowed_offerings, allowed_environment_types)
                VALUES (@Name, @DisplayName, @CreatedAt, @MaxInstances, @MaxReplicasPerInstance, @AllowedOfferings, @AllowedEnvironmentTypes)
                ON CONFLICT (name) DO NOTHING
                """,
                TenantRow.From(tenant), cancellationToken: cancellationToken));
            return rows == 1;
        });
    }

    public Task<TenantRecord?> FindAsync(string name, CancellationToken cancellationToken = default) =>
        _found.GetAsync(name, async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<TenantRow>(new CommandDefinition(
                $"SELECT {Columns} FROM tenants WHERE name = @name", new { name }, cancellationToken: cancellationToken));
            return row?.ToRecord();
        });

    public async Task<IReadOnlyList<TenantRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TenantRow>(new CommandDefinition(
            $"SELECT {Columns} FROM tenants ORDER BY name", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>Replaces the display name and quotas; answers false when the tenant does not exist.</summary>
    public async Task<bool> UpdateAsync(TenantRecord tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            var rows = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE tenants SET display_name = @DisplayName, max_instances = @MaxInstances,
                    max_replicas_per_instance = @MaxReplicasPerInstance, allowed_offerings = @AllowedOfferings,
                    allowed_environment_types = @AllowedEnvironmentTypes
                WHERE name = @Name
                """,
                TenantRow.From(tenant), cancellationToken: cancellationToken));
            return rows == 1;
        });
    }

    /// <summary>Deletes the tenant with its memberships and API keys; answers false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        return await database.ChangingIdentityAsync(async () =>
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM tenants WHERE name = @name", new { name }, cancellationToken: cancellationToken)) == 1;
        });
    }

    // The quota lists are stored as JSON text: they are read and written whole, never queried into.
    private sealed record TenantRow
    {
        public required string Name { get; init; }

        public string? DisplayName { get; init; }

        public required DateTimeOffset CreatedAt { get; init; }

        public int? MaxInstances { get; init; }

        public int? MaxReplicasPerInstance { get; init; }

        public string? AllowedOfferings { get; init; }

        public string? AllowedEnvironmentTypes { get; init; }

        public static TenantRow From(TenantRecord tenant) => new()
        {
            Name = tenant.Name,
            DisplayName = tenant.DisplayName,
            CreatedAt = tenant.CreatedAt,
            MaxInstances = tenant.Quotas.MaxInstances,
            MaxReplicasPerInstance = tenant.Quotas.MaxReplicasPerInstance,
            AllowedOfferings = ToJson(tenant.Quotas.AllowedOfferings),
            AllowedEnvironmentTypes = ToJson(tenant.Quotas.AllowedEnvironmentTypes),
        };

        public TenantRecord ToRecord() => new()
        {
            Name = Name,
            DisplayName = DisplayName,
            CreatedAt = CreatedAt,
            Quotas = new TenantQuotas
            {
                MaxInstances = MaxInstances,
                MaxReplicasPerInstance = MaxReplicasPerInstance,
                AllowedOfferings = FromJson(AllowedOfferings),
                AllowedEnvironmentTypes = FromJson(AllowedEnvironmentTypes),
            },
        };

        private static string? ToJson(IReadOnlyList<string>? values) => values is null ? null : JsonSerializer.Serialize(values);

        private static string[]? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<string[]>(json);
    }
}
