using Gantry.Data.Environments;
using Gantry.Data.ChangeRequests;
using Gantry.Data.Instances;
using Gantry.Data.Identity;
using Gantry.Data.Migrations;
using Gantry.Data.Sealing;
using Gantry.Data.Tenants;
using Gantry.Data.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers the metadata database chosen by <see cref="DatabaseOptions.Provider"/>.
    /// <paramref name="defaultSqlitePath"/> gives the SQLite file used when no connection string is configured.
    /// </summary>
    public static IServiceCollection AddMetadataDatabase(this IServiceCollection services, Func<IServiceProvider, string> defaultSqlitePath)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>());

        services.TryAddSingleton<IMetadataDatabase>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return options.Provider switch
            {
                DatabaseProviders.PostgreSql => new PostgresMetadataDatabase(options.ConnectionString!),
                _ => new SqliteMetadataDatabase(options.ConnectionString ?? $"Data Source={defaultSqlitePath(sp)}"),
            };
        });
        services.TryAddSingleton<MigrationRunner>();
        services.TryAddSingleton<UserRepository>();
        services.TryAddSingleton<TenantRepository>();
        services.TryAddSingleton<TenantWriteLocks>();
        services.TryAddSingleton<Remotes.RemoteWriteLeases>();
        services.TryAddSingleton<Core.State.IRemoteWriteLease>(sp => sp.GetRequiredService<Remotes.RemoteWriteLeases>());
        services.TryAddSingleton<MembershipRepository>();
        services.TryAddSingleton<RefreshTokenRepository>();
        services.TryAddSingleton<ApiKeyRepository>();
        services.TryAddSingleton<AuditRepository>();
        services.TryAddSingleton<InstanceRepository>();
        services.TryAddSingleton<WriteIntentRepository>();
        services.TryAddSingleton<IdempotencyRepository>();
        services.TryAddSingleton<SealingKeyRepository>();
        services.TryAddSingleton<EnvironmentRepository>();
        services.TryAddSingleton<ImageWarningRepository>();
        services.TryAddSingleton<ChangeRequestRepository>();
        services.TryAddSingleton<Clusters.ClusterRepository>();
        services.TryAddSingleton<Status.StatusEventRepository>();
        return services;
    }
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (!DatabaseProviders.All.Contains(options.Provider, StringComparer.Ordinal))
        {
            return ValidateOptionsResult.Fail(
                $"Database:Provider '{options.Provider}' is not supported; use one of: {string.Join(", ", DatabaseProviders.All)}.");
        }

        if (options.Provider == DatabaseProviders.PostgreSql && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail("Database:ConnectionString is required when Database:Provider is 'postgresql'.");
        }

        try
        {
            _ = options.Provider == DatabaseProviders.PostgreSql
                ? new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString).ConnectionString
                : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(options.ConnectionString ?? string.Empty).ConnectionString;
        }
        catch (ArgumentException)
        {
            // The connection string may hold a password: say which key is wrong, never echo it.
            return ValidateOptionsResult.Fail("Database:ConnectionString is not a valid connection string for the configured provider.");
        }

        return ValidateOptionsResult.Success;
    }
}
