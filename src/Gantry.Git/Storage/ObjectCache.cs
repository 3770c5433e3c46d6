using System.Runtime.InteropServices;

namespace Gantry.Git.Storage;

/// <summary>
/// How much memory libgit2's object cache may hold, for the whole process. It keeps the commits and trees that
/// LibGit2Sharp looked up (history, reads, conflict checks) up to 256 MiB by default, and a replica that has read
/// many tenants' folders keeps them all; what the hot paths need again (the top levels of the tree, recent commits)
/// is a few megabytes, and anything evicted is read again from the mapped packs. (libgit2: include/git2/common.h,
/// GIT_OPT_SET_CACHE_MAX_SIZE and GIT_OPT_GET_CACHED_MEMORY.)
/// </summary>
internal static partial class ObjectCache
{
    private const int SetCacheMaxSize = 7;  // GIT_OPT_SET_CACHE_MAX_SIZE
    private const int GetCachedMemory = 9;  // GIT_OPT_GET_CACHED_MEMORY

    /// <summary>
    /// Limits libgit2's object cache to <paramref name="bytes"/>; false when it cannot be set here (as for
    /// <see cref="PackMapping.TryLimit"/>, the variadic call is not made on macOS).
    /// </summary>
    public static bool TryLimit(long bytes)
    {
        if (OperatingSystem.IsMacOS() || bytes < 0)
        {
            return false;
        }

        try
        {
            return Options(SetCacheMaxSize, (nint)bytes) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>What the cache holds now and may hold, in bytes; null when it cannot be read here.</summary>
    public static (long Current, long Allowed)? Usage()
    {
        if (OperatingSystem.IsMacOS())
        {
            return null;
        }

        try
        {
            return Options(GetCachedMemory, out var current, out var allowed) == 0 ? (current, allowed) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }

    [LibraryImport(NativeTreeReader.Library, EntryPoint = "git_libgit2_opts")]
    private static partial int Options(int option, nint value);

    [LibraryImport(NativeTreeReader.Library, EntryPoint = "git_libgit2_opts")]
    private static partial int Options(int option, out nint current, out nint allowed);
}
