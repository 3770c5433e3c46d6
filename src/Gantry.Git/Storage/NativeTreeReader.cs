using System.Runtime.InteropServices;
using System.Text;
using Gantry.Git.Objects;

namespace Gantry.Git.Storage;

/// <summary>
/// Reads raw tree objects straight from libgit2's object database. LibGit2Sharp only offers trees as lists of
/// <c>TreeEntry</c> objects (several native calls and allocations per entry), which made first reads of trees the
/// largest cost of a change at 100,000 tenants; parsing the raw bytes is several times cheaper. Uses the libgit2
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

    /// <summary>The entries of tree <paramref name="id"/>; null when it cannot be read this way.</summary>
    public List<TreeItem>? TryRead(GitHash id)
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

            var data = new ReadOnlySpan<byte>((void*)ObjectData(obj), checked((int)ObjectSize(obj)));
            return Parse(data);
        }
        finally
        {
            ObjectFree(obj);
        }
    }

    /// <summary>Parses Git's tree format: "&lt;octal mode&gt; &lt;name&gt;\0&lt;20-byte id&gt;" per entry.</summary>
    public static List<TreeItem> Parse(ReadOnlySpan<byte> data)
    {
        var items = new List<TreeItem>();
        while (!data.IsEmpty)
        {
            var space = data.IndexOf((byte)' ');
            var mode = 0;
            foreach (var digit in data[..space])
            {
                mode = (mode * 8) + (digit - '0');
            }

            data = data[(space + 1)..];
            var nul = data.IndexOf((byte)0);
            var name = Encoding.UTF8.GetString(data[..nul]);
            var id = GitHash.FromBytes(data.Slice(nul + 1, GitHash.Size));
            items.Add(new TreeItem(name, mode, id));
            data = data[(nul + 1 + GitHash.Size)..];
        }

        return items;
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
