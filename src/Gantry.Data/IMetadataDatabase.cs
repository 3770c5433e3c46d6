using System.Data.Common;

namespace Gantry.Data;

/// <summary>
/// The metadata database: users, tenants, keys, status, audit and an index of claims that can be rebuilt
/// from Git. SQLite and PostgreSQL implement the same contract; SQL that differs lives in the migrations.
/// </summary>
public interface IMetadataDatabase
{
    /// <summary><see cref="DatabaseProviders.Sqlite"/> or <see cref="DatabaseProviders.PostgreSql"/>.</summary>
    string Provider { get; }

    /// <summary>A human-readable description of where the data lives, with no credentials in it.</summary>
    string Location { get; }

    /// <summary>Opens a pooled connection for ordinary work.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a pooled connection for a write. SQLite allows one writer at a time and its busy handling sleeps (up to
    /// 150 ms a try in Microsoft.Data.Sqlite), so concurrent writers queue in the process instead, released when the
    /// connection closes; PostgreSQL writers run concurrently.
    /// </summary>
    Task<DbConnection> OpenForWriteAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one small write that stands alone (an index row, an audit event) in a transaction, and completes once it
    /// is committed. SQLite commits the writes that queue up meanwhile in one transaction (group commit); PostgreSQL
    /// runs each in its own. <paramref name="write"/> must only issue commands on the connection and transaction it
    /// is given: when another write of its group fails, the group is rolled back and it runs again.
    /// </summary>
    Task WriteAsync(Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a connection that bypasses the pool, so that a health probe sees the database as it is now
    /// (a deleted or corrupt SQLite file is noticed even while pooled handles still point at the old one).
    /// </summary>
    Task<DbConnection> OpenUnpooledAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the database (file or schema owner checks) if the provider can; called once at start.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken = default);

    /// <summary>Releases pooled connections; called on shutdown so the database is closed cleanly.</summary>
    void ReleasePool();

    /// <summary>
    /// A number that moves after every change to users, memberships or tenants made through this process, when no
    /// other process can make such changes (SQLite: Gantry alone owns the file). Null when others can (PostgreSQL,
    /// which replicas share): then nothing read from those tables may be kept between requests on its strength.
    /// </summary>
    long? IdentityVersion { get; }

    /// <summary>Moves <see cref="IdentityVersion"/>; the repositories call it after each write to users, memberships or tenants.</summary>
    void IdentityChanged();
}
