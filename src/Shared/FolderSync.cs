using System.Runtime.InteropServices;

namespace Gantry.Shared;

/// <summary>
/// fsync of a folder, so that a rename inside it survives a power cut (POSIX; elsewhere a no-op). Compiled into
/// each project that writes durable files (the Git store, the folder bucket) as a linked source file.
/// </summary>
internal static partial class FolderSync
{
    public static void Sync(string folder)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Open(folder, 0); // O_RDONLY
        if (fd < 0)
        {
            throw new IOException($"Cannot open folder {folder} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of folder {folder} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
