namespace Gantry.Git.Storage;

/// <summary>
/// How much memory libgit2's object cache may hold, for the whole process. It keeps the commits and trees that
/// LibGit2Sharp looked up (history, reads, conflict checks) up to 256 MiB by default, and a replica that has read
/// many tenants' folders keeps them all; what the hot paths need again (the top levels of the tree, recent commits)
/// is a few megabytes, and anything evicted is read again from the mapped packs. (libgit2: include/git2/common.h,
/// GIT_OPT_SET_CACHE_MAX_SIZE and GIT_OPT_GET_CACHED_MEMORY.)
/// </summary>
internal static class ObjectCache
{
    private const int SetCacheMaxSize = 7;  // GIT_OPT_SET_CACHE_MAX_SIZE
    private const int GetCachedMemory = 9;  // GIT_OPT_GET_CACHED_MEMORY

    /// <summary>Limits libgit2's object cache to <paramref name="bytes"/>; false when it cannot be set here.</summary>
    public static bool TryLimit(long bytes) => bytes >= 0 && LibGit2Options.TrySet(SetCacheMaxSize, bytes);

    /// <summary>What the cache holds now and may hold, in bytes; null when it cannot be read here.</summary>
    public static (long Current, long Allowed)? Usage() => LibGit2Options.TryGet2(GetCachedMemory);
}
