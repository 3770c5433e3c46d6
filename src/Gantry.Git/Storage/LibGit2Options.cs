using System.Runtime.InteropServices;

namespace Gantry.Git.Storage;

/// <summary>
/// libgit2's process-wide settings (<c>git_libgit2_opts</c>, include/git2/common.h), through the libgit2 build that
/// LibGit2Sharp ships. The function is variadic: its integer arguments travel like fixed ones on Linux and Windows,
/// not on Apple's arm64, so there every call answers "cannot be done here" and libgit2 keeps its defaults.
/// </summary>
internal static partial class LibGit2Options
{
    /// <summary>Sets <paramref name="option"/> to <paramref name="value"/>; false when it cannot be set here.</summary>
    public static bool TrySet(int option, long value) => Try(() => (bool?)(Set(option, (nint)value) == 0)) ?? false;

    /// <summary>Reads an option that answers one value; null when it cannot be read here.</summary>
    public static long? TryGet(int option) => Try(() => Get(option, out var value) == 0 ? (long?)value : null);

    /// <summary>Reads an option that answers two values; null when it cannot be read here.</summary>
    public static (long First, long Second)? TryGet2(int option) =>
        Try(() => Get(option, out var first, out var second) == 0 ? ((long, long)?)(first, second) : null);

    private static T? Try<T>(Func<T?> call)
    {
        if (OperatingSystem.IsMacOS())
        {
            return default;
        }

        try
        {
            return call();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return default;
        }
    }

    [LibraryImport(NativeTreeReader.Library, EntryPoint = "git_libgit2_opts")]
    private static partial int Set(int option, nint value);

    [LibraryImport(NativeTreeReader.Library, EntryPoint = "git_libgit2_opts")]
    private static partial int Get(int option, out nint value);

    [LibraryImport(NativeTreeReader.Library, EntryPoint = "git_libgit2_opts")]
    private static partial int Get(int option, out nint first, out nint second);
}
