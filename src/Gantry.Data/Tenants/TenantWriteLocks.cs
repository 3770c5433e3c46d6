using System.Data.Common;
using Dapper;

namespace Gantry.Data.Tenants;

/// <summary>
/// Serializes changes to a tenant across every Gantry replica that shares the database: on PostgreSQL a session
/// advisory lock per tenant (<c>pg_advisory_lock(space, hashtext(tenant))</c>), held from the <c>If-Match</c> check
/// until the index row is written, so of two replicas changing one instance the second checks its precondition
/// against the first one's result, and index rows are written in the order the commits were made. SQLite serves one
/// process, whose own per-tenant gate is enough: there it takes nothing.
/// </summary>
/// <remarks>
/// A replica that dies holding a lock loses its session and PostgreSQL releases the lock at once. Two tenants whose
/// names hash alike share a lock, which only costs some parallelism. Several tenants (a rollout's wave) are locked on
/// one connection in the order given; callers pass them sorted, so two waves cannot deadlock.
/// </remarks>
public sealed class TenantWriteLocks(IMetadataDatabase database)
{
    /// <summary>The first key of Gantry's tenant locks ("GTNT"); the migration lock uses a single bigint key.</summary>
    public const int LockSpace = 0x47544E54;

    /// <summary>Whether locks are taken at all (PostgreSQL); false on SQLite.</summary>
    public bool Shared => database.Provider == DatabaseProviders.PostgreSql;

    /// <summary>Waits until this process holds the locks of <paramref name="tenants"/>; dispose the result to release them.</summary>
    public async Task<IAsyncDisposable> AcquireAsync(IReadOnlyList<string> tenants, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        if (!Shared || tenants.Count == 0)
        {
            return Nothing.Instance;
        }

        var connection = await database.OpenAsync(cancellationToken);
        var held = new Held(connection);
        try
        {
            foreach (var tenant in tenants)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "SELECT pg_advisory_lock(@space, hashtext(@tenant))", new { space = LockSpace, tenant }, cancellationToken: cancellationToken));
                held.Tenants.Add(tenant);
            }

            return held;
        }
        catch
        {
            // Cancelled or failed part way (a cancel can race with a grant): leave nothing held on the pooled connection.
            held.ReleaseAll = true;
            await held.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until this process holds the lock of <paramref name="tenant"/>.</summary>
    public Task<IAsyncDisposable> AcquireAsync(string tenant, CancellationToken cancellationToken) => AcquireAsync([tenant], cancellationToken);

    private sealed class Held(DbConnection connection) : IAsyncDisposable
    {
        public List<string> Tenants { get; } = [];

        public bool ReleaseAll { get; set; }

        public ValueTask DisposeAsync() => new(AdvisoryLocks.ReleaseAsync(connection, async held =>
        {
            if (ReleaseAll)
            {
                await held.ExecuteAsync("SELECT pg_advisory_unlock_all()");
                return;
            }

            foreach (var tenant in Tenants)
            {
                await held.ExecuteAsync("SELECT pg_advisory_unlock(@space, hashtext(@tenant))", new { space = LockSpace, tenant });
            }
        }));
    }

    private sealed class Nothing : IAsyncDisposable
    {
        public static readonly Nothing Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
