using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Gantry.Data;

/// <summary>The embedded default: one SQLite file in WAL mode.</summary>
public sealed class SqliteMetadataDatabase : IMetadataDatabase, IDisposable
{
    // The native handles whose per-connection settings are made. A pooled connection keeps its handle (and its
    // settings) from one open to the next; setting them again on every open was a fifth of the SQLite time of an
    // instance change. Weak keys: a handle the pool closes drops out by itself.
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = [];
    private static readonly object Done = new();

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SqliteGroupCommit _groupCommit;
    private long _identityVersion;
    private readonly string _connectionString;
    private readonly string _unpooledConnectionString;
    private readonly string _createConnectionString;

    public SqliteMetadataDatabase(string connectionString)
    {
        UtcDateTimeOffsetHandler.Register();
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new ArgumentException("Database:ConnectionString must name a SQLite file (Data Source=<path>).", nameof(connectionString));
        }

        FilePath = Path.GetFullPath(builder.DataSource);
        builder.DataSource = FilePath;
        builder.ForeignKeys = true;
        builder.DefaultTimeout = 30;

        // Everyday connections never create the file: a missing database after start is an outage to report,
        // not an empty database to silently start over with.
        builder.Mode = SqliteOpenMode.ReadWrite;
        builder.Pooling = true;
        _connectionString = builder.ToString();
        builder.Pooling = false;
        _unpooledConnectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        _createConnectionString = builder.ToString();
        _groupCommit = new SqliteGroupCommit(OpenForWriteAsync);
    }

    /// <summary>The page cache of each connection, in KiB (SQLite's <c>cache_size</c>, negative for KiB).</summary>
    internal const int PageCacheKibibytes = 256;

    public string FilePath { get; }

    public string Provider => DatabaseProviders.Sqlite;

    public string Location => FilePath;

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        OpenAsync(_connectionString, cancellationToken);

    public async Task<DbConnection> OpenForWriteAsync(CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var connection = await OpenAsync(_connectionString, cancellationToken);
            var released = 0;
            connection.StateChange += (_, change) =>
            {
                if (change.CurrentState == System.Data.ConnectionState.Closed && Interlocked.Exchange(ref released, 1) == 0)
                {
                    _writeGate.Release();
                }
            };
            return connection;
        }
        catch
        {
            _writeGate.Release();
            throw;
        }
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken = default) =>
        _groupCommit.WriteAsync(write, cancellationToken);

    public void Dispose()
    {
        _groupCommit.Dispose();
        _writeGate.Dispose();
    }

    public Task<DbConnection> OpenUnpooledAsync(CancellationToken cancellationToken = default) =>
        OpenAsync(_unpooledConnectionString, cancellationToken);

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await using var connection = await OpenAsync(_createConnectionString, cancellationToken);

        // WAL lets readers (health probes, lists) run while the committer writes; the setting is persistent.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void ReleasePool() => SqliteConnection.ClearAllPools();

    public long? IdentityVersion => Interlocked.Read(ref _identityVersion);

    public void IdentityChanged() => Interlocked.Increment(ref _identityVersion);

    private static async Task<DbConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (connection.Handle is { } handle && Configured.TryGetValue(handle, out _))
            {
                return connection;
            }

            await using var command = connection.CreateCommand();
            // Each pooled connection keeps its own page cache (2 MiB by default), and a busy server keeps one
            // connection per concurrent request: at 100,000 instances those caches filled to over 100 MB of a
            // replica's memory. The file's pages stay in the kernel's page cache, where every connection shares them.
            command.CommandText = $"PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-{PageCacheKibibytes};";
            await command.ExecuteNonQueryAsync(cancellationToken);
            if (connection.Handle is { } configured)
            {
                Configured.AddOrUpdate(configured, Done);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
