namespace Gantry.Git.Storage;

/// <summary>
/// How much of the repository's packs libgit2 keeps mapped into memory. libgit2 reads packs through memory-mapped
/// windows of 1 GiB each and unmaps them only past its mapped limit, 8 GiB on 64-bit systems: every pack it ever read
/// stays mapped, and its pages count in the process's resident memory. That was most of a replica's memory at tens of
/// thousands of instances (215 MB of pack pages at 20,000). With windows of a few megabytes and a limit, libgit2
/// unmaps the least recently used windows; the pages stay in the kernel's page cache, so a window read again is
/// mapped again without reading the disk. (libgit2: include/git2/common.h, GIT_OPT_SET_MWINDOW_SIZE and
/// GIT_OPT_SET_MWINDOW_MAPPED_LIMIT.)
/// </summary>
internal static class PackMapping
{
    private const int SetWindowSize = 1;       // GIT_OPT_SET_MWINDOW_SIZE
    private const int GetMappedLimit = 2;      // GIT_OPT_GET_MWINDOW_MAPPED_LIMIT
    private const int SetMappedLimit = 3;      // GIT_OPT_SET_MWINDOW_MAPPED_LIMIT

    /// <summary>The size of one mapped window of a pack.</summary>
    public const long WindowBytes = 4L * 1024 * 1024;

    /// <summary>Limits the pack memory libgit2 keeps mapped, for the whole process; false when it cannot be set here.</summary>
    public static bool TryLimit(long mappedBytes) =>
        mappedBytes > 0
        && LibGit2Options.TrySet(SetWindowSize, Math.Min(WindowBytes, mappedBytes))
        && LibGit2Options.TrySet(SetMappedLimit, mappedBytes);

    /// <summary>libgit2's mapped limit now, in bytes; null when it cannot be read here.</summary>
    public static long? MappedLimit() => LibGit2Options.TryGet(GetMappedLimit);
}
