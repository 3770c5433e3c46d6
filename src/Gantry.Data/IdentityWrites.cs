namespace Gantry.Data;

internal static class IdentityWrites
{
    /// <summary>
    /// Runs a write to users, memberships or tenants, then moves <see cref="IMetadataDatabase.IdentityVersion"/>:
    /// after the write has committed (so a reader that saw the old version cannot keep what it read before the write),
    /// and also when it failed (it may have committed before failing).
    /// </summary>
    public static async Task<T> ChangingIdentityAsync<T>(this IMetadataDatabase database, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        finally
        {
            database.IdentityChanged();
        }
    }

    /// <inheritdoc cref="ChangingIdentityAsync{T}"/>
    public static Task ChangingIdentityAsync(this IMetadataDatabase database, Func<Task> write) =>
        database.ChangingIdentityAsync(async () =>
        {
            await write();
            return true;
        });
}
