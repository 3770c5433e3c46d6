using System.Data.Common;
using Npgsql;

namespace Gantry.Data;

/// <summary>PostgreSQL for production: several Gantry replicas can share it.</summary>
public sealed class PostgresMetadataDatabase : IMetadataDatabase, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _unpooledConnectionString;

    public PostgresMetadataDatabase(string connectionString)
    {
        UtcDateTimeOffsetHandler.Register();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
        builder.Pooling = false;
        _unpooledConnectionString = builder.ConnectionString;
    }

    public string Provider => DatabaseProviders.PostgreSql;

    public string Location { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public Task<DbConnection> OpenForWriteAsync(CancellationToken cancellationToken = default) => OpenAsync(cancellationToken);

    // Writers run concurrently here: nothing to gain from grouping them.
    public async Task WriteAsync(Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await write(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<DbConnection> OpenUnpooledAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(_unpooledConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // The database itself is created by whoever runs PostgreSQL; the migrations create the tables.
    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public void ReleasePool() => NpgsqlConnection.ClearAllPools();

    // Replicas share the database: a change made by another one is never seen here.
    public long? IdentityVersion => null;

    public void IdentityChanged()
    {
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
