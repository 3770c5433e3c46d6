using System.Data.Common;
using Dapper;
using Gantry.Core.State;

namespace Gantry.Data.Remotes;

/// <summary>
/// The write lease of a Git remote shared by replicas on PostgreSQL: a session advisory lock
/// (<c>pg_advisory_lock(space, hashtext(remote))</c>) held while a replica fetches, builds and pushes, and the head it
/// pushed kept in <c>git_remote_heads</c>, so that the next holder fetches only when someone else pushed. SQLite serves
/// one process, which needs no lease: there it gives none.
/// </summary>
/// <remarks>
/// A replica that dies holding the lease loses its session and PostgreSQL releases the lock at once; if it died between
/// its push and recording it, the next holder's push is refused as not a fast-forward and it fetches then, as without a
/// lease. Tenant locks (<see cref="Tenants.TenantWriteLocks"/>) are taken before a change is queued and the lease only by
/// the committer, always last, so the two cannot deadlock.
/// </remarks>
public sealed class RemoteWriteLeases(IMetadataDatabase database) : IRemoteWriteLease
{
    /// <summary>The first key of Gantry's remote leases ("GPSH"); tenant locks use "GTNT".</summary>
    public const int LockSpace = 0x47505348;

    public async Task<IRemoteLeaseHold?> AcquireAsync(string remote, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(remote);
        if (database.Provider != DatabaseProviders.PostgreSql)
        {
            return null;
        }

        var connection = await database.OpenAsync(cancellationToken);
        var locked = false;
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_lock(@space, hashtext(@remote))", new { space = LockSpace, remote }, cancellationToken: cancellationToken));
            locked = true;
            var head = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT head FROM git_remote_heads WHERE remote = @remote", new { remote }, cancellationToken: cancellationToken));
            return new Hold(connection, remote, head);
        }
        catch
        {
            // Cancelled or failed part way (a cancel can race with a grant): leave nothing held on the pooled connection.
            await Hold.ReleaseAsync(connection, remote, all: !locked);
            throw;
        }
    }

    private sealed class Hold(DbConnection connection, string remote, string? head) : IRemoteLeaseHold
    {
        public string? RecordedHead { get; private set; } = head;

        public async Task RecordAsync(string head, CancellationToken cancellationToken)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO git_remote_heads (remote, head, pushed_at) VALUES (@remote, @head, now())
                ON CONFLICT (remote) DO UPDATE SET head = excluded.head, pushed_at = excluded.pushed_at
                """,
                new { remote, head }, cancellationToken: cancellationToken));
            RecordedHead = head;
        }

        public ValueTask DisposeAsync() => new(ReleaseAsync(connection, remote, all: false));

        public static async Task ReleaseAsync(DbConnection connection, string remote, bool all)
        {
            try
            {
                await connection.ExecuteAsync(
                    all ? "SELECT pg_advisory_unlock_all()" : "SELECT pg_advisory_unlock(@space, hashtext(@remote))",
                    new { space = LockSpace, remote });
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                // A broken session has lost its locks already; a pooled connection is reset (DISCARD ALL) before reuse.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
