using System.Data.Common;
using Dapper;
using Gantry.Core.State;

namespace Gantry.Data.Remotes;

/// <summary>
/// The write lease of a Git remote shared by replicas on PostgreSQL: a session advisory lock
/// (<c>pg_advisory_lock(space, hashtext(remote))</c>) held while a replica catches up, builds and pushes; and the
/// recent pushes with their packs in <c>git_remote_pushes</c>, so that the next holder (or a replica asked to read what
/// another wrote) catches up from there instead of fetching. SQLite serves one process, which needs neither.
/// </summary>
/// <remarks>
/// A replica that dies holding the lease loses its session and PostgreSQL releases the lock at once; if it died between
/// its push and recording it, the next holder's push is refused as not a fast-forward and it fetches then, as without a
/// lease. Tenant locks (<see cref="Tenants.TenantWriteLocks"/>) are taken before a change is queued and the lease only by
/// the committer, always last, so the two cannot deadlock. The newest <see cref="KeptPushes"/> pushes of a remote are
/// kept; a replica further behind fetches.
/// </remarks>
public sealed class RemoteWriteLeases(IMetadataDatabase database) : IRemoteWriteLease
{
    /// <summary>The first key of Gantry's remote leases ("GPSH"); tenant locks use "GTNT".</summary>
    public const int LockSpace = 0x47505348;

    /// <summary>How many of a remote's pushes are kept for others to catch up from.</summary>
    public const int KeptPushes = 64;

    private bool Shared => database.Provider == DatabaseProviders.PostgreSql;

    public async Task<IRemoteLeaseHold?> AcquireAsync(string remote, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(remote);
        if (!Shared)
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
                "SELECT head FROM git_remote_pushes WHERE remote = @remote ORDER BY seq DESC LIMIT 1", new { remote }, cancellationToken: cancellationToken));
            return new Hold(connection, remote, head);
        }
        catch
        {
            // Cancelled or failed part way (a cancel can race with a grant): leave nothing held on the pooled connection.
            await Hold.ReleaseAsync(connection, remote, all: !locked);
            throw;
        }
    }

    public async Task<RecordedPushes> PushesSinceAsync(string remote, string head, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(remote);
        ArgumentException.ThrowIfNullOrEmpty(head);
        if (!Shared)
        {
            return new RecordedPushes(null, []);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT head FROM git_remote_pushes WHERE remote = @remote ORDER BY seq DESC LIMIT 1;
            SELECT base, head, pack, pack_index AS packindex FROM git_remote_pushes
            WHERE remote = @remote AND seq > (SELECT max(seq) FROM git_remote_pushes WHERE remote = @remote AND head = @head)
            ORDER BY seq;
            """,
            new { remote, head }, cancellationToken: cancellationToken));
        var newest = await results.ReadSingleOrDefaultAsync<string?>();
        var since = (await results.ReadAsync<PushRow>()).Select(r => new RecordedPush(r.Base, r.Head, r.Pack, r.PackIndex)).ToList();
        return new RecordedPushes(newest, since);
    }

    private sealed record PushRow(string? Base, string Head, byte[]? Pack, byte[]? PackIndex);

    private sealed class Hold(DbConnection connection, string remote, string? head) : IRemoteLeaseHold
    {
        public string? RecordedHead { get; private set; } = head;

        public async Task RecordAsync(RecordedPush push, CancellationToken cancellationToken)
        {
            // Under the lease: sequence order is push order. Older pushes than the kept ones go in the same round trip.
            await connection.ExecuteAsync(new CommandDefinition(
                """
                WITH added AS (
                    INSERT INTO git_remote_pushes (remote, base, head, pack, pack_index, pushed_at)
                    VALUES (@remote, @base, @head, @pack, @index, now())
                    RETURNING seq)
                DELETE FROM git_remote_pushes WHERE remote = @remote AND seq <= (SELECT seq FROM added) - @kept
                """,
                new { remote, @base = push.Base, head = push.Head, pack = push.Pack, index = push.Index, kept = KeptPushes },
                cancellationToken: cancellationToken));
            RecordedHead = push.Head;
        }

        public ValueTask DisposeAsync() => new(ReleaseAsync(connection, remote, all: false));

        public static Task ReleaseAsync(DbConnection connection, string remote, bool all) =>
            AdvisoryLocks.ReleaseAsync(connection, held => held.ExecuteAsync(
                all ? "SELECT pg_advisory_unlock_all()" : "SELECT pg_advisory_unlock(@space, hashtext(@remote))",
                new { space = LockSpace, remote }));
    }
}
