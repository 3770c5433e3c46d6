using System.Runtime.InteropServices;
using Gantry.Git.Objects;

namespace Gantry.Git.Storage;

/// <summary>
/// Reads raw tree objects straight from libgit2's object database. LibGit2Sharp only offers trees as lists of
/// <c>TreeEntry</c> objects (several native calls and allocations per entry), which made first reads of trees the
/// largest cost of a change at 100,000 tenants; the raw bytes are what the tree cache keeps anyway. Uses the libgit2
/// build that LibGit2Sharp ships and has initialized; when that cannot be bound, callers fall back to LibGit2Sharp.
/// (libgit2: include/git2/odb.h git_odb_open, git_odb_read; git: tree object format in Documentation/gitformat-*.)
/// </summary>
internal sealed unsafe partial class NativeTreeReader : IDisposable
{
    // The native library of LibGit2Sharp.NativeBinaries 2.0.324 (LibGit2Sharp 0.32); update with the package.
    internal const string Library = "git2-5853918";
    private const int TreeType = 2; // GIT_OBJECT_TREE

    private IntPtr _odb;

    private NativeTreeReader(IntPtr odb) => _odb = odb;

    /// <summary>Opens the object database of <paramref name="gitDir"/>; null when libgit2 cannot be bound here.</summary>
    public static NativeTreeReader? TryOpen(string gitDir)
    {
        try
        {
            return OdbOpen(out var odb, Path.Combine(gitDir, "objects")) == 0 ? new NativeTreeReader(odb) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }

    /// <summary>The content of tree <paramref name="id"/> as stored (<see cref="TreeBytes"/>); null when it cannot be read this way.</summary>
    public byte[]? TryRead(GitHash id)
    {
        Span<byte> oid = stackalloc byte[GitHash.Size];
        id.WriteTo(oid);
        IntPtr obj;
        fixed (byte* p = oid)
        {
            if (OdbRead(out obj, _odb, p) != 0)
            {
                return null;
            }
        }

        try
        {
            if (ObjectType(obj) != TreeType)
            {
                return null;
            }

            return new ReadOnlySpan<byte>((void*)ObjectData(obj), checked((int)ObjectSize(obj))).ToArray();
        }
        finally
        {
            ObjectFree(obj);
        }
    }

    public void Dispose()
    {
        if (_odb != IntPtr.Zero)
        {
            OdbFree(_odb);
            _odb = IntPtr.Zero;
        }
    }

    [LibraryImport(Library, EntryPoint = "git_odb_open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OdbOpen(out IntPtr odb, string objectsDir);

    [LibraryImport(Library, EntryPoint = "git_odb_read")]
    private static partial int OdbRead(out IntPtr obj, IntPtr odb, byte* oid);

    [LibraryImport(Library, EntryPoint = "git_odb_object_type")]
    private static partial int ObjectType(IntPtr obj);

    [LibraryImport(Library, EntryPoint = "git_odb_object_data")]
    private static partial IntPtr ObjectData(IntPtr obj);

    [LibraryImport(Library, EntryPoint = "git_odb_object_size")]
    private static partial nuint ObjectSize(IntPtr obj);

    [LibraryImport(Library, EntryPoint = "git_odb_object_free")]
    private static partial void ObjectFree(IntPtr obj);

    [LibraryImport(Library, EntryPoint = "git_odb_free")]
    private static partial void OdbFree(IntPtr odb);
}
