using System.Data.Common;

namespace Gantry.Data;

/// <summary>Releasing PostgreSQL session advisory locks held on a connection of their own.</summary>
internal static class AdvisoryLocks
{
    /// <summary>
    /// Runs <paramref name="unlock"/> on the connection that holds the locks, then returns it to the pool. A broken
    /// session has lost its locks already, so its failure to unlock is no error; and a pooled connection is reset
    /// (DISCARD ALL) before it is used again.
    /// </summary>
    public static async Task ReleaseAsync(DbConnection connection, Func<DbConnection, Task> unlock)
    {
        try
        {
            await unlock(connection);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // Lost with the session.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
