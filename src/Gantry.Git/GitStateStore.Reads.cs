using Gantry.Core.State;
using Gantry.Core.Validation;
using LibGit2Sharp;

namespace Gantry.Git;

public sealed partial class GitStateStore
{
    public Task<string?> GetHeadAsync(CancellationToken cancellationToken = default) => Task.FromResult(_headText);

    public Task<byte[]?> ReadFileAsync(string path, string? revision = null, CancellationToken cancellationToken = default)
    {
        StatePath.EnsureValid(path);
        return Task.FromResult(Read(revision, commit => commit?.Tree[path]?.Target is Blob blob ? ReadBlob(blob) : null));
    }

    public Task<IReadOnlyList<StateEntry>> ListAsync(string folder, string? revision = null, CancellationToken cancellationToken = default)
    {
        StatePath.EnsureValidFolder(folder, nameof(folder));
        return Task.FromResult(Read<IReadOnlyList<StateEntry>>(revision, commit =>
        {
            var tree = commit is null ? null : folder.Length == 0 ? commit.Tree : commit.Tree[folder]?.Target as Tree;
            if (tree is null)
            {
                return [];
            }

            return tree
                .Select(e => new StateEntry(e.Name, folder.Length == 0 ? e.Name : folder + "/" + e.Name, e.TargetType == TreeEntryTargetType.Tree ? StateEntryKind.Folder : StateEntryKind.File))
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList();
        }));
    }

    public Task<HistoryPage> GetHistoryAsync(string path, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        StatePath.EnsureValidFolder(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Task.FromResult(Read(cursor, start =>
        {
            // Walk the first-parent chain (Gantry's history is linear) and keep the commits whose entry at the
            // path differs from their parent's: a few tree lookups per commit, no diff, no rename detection.
            var commits = new List<StateCommit>(Math.Min(limit, 256));
            var commit = start;
            while (commit is not null && commits.Count < limit)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var parent = commit.Parents.FirstOrDefault();
                if (EntryId(commit, path) != (parent is null ? null : EntryId(parent, path)))
                {
                    commits.Add(ToStateCommit(commit));
                }

                commit = parent;
            }

            return new HistoryPage(commits, commit?.Sha);
        }));
    }

    public Task<IReadOnlyList<FileDiff>> DiffAsync(string fromRevision, string toRevision, string path, CancellationToken cancellationToken = default)
    {
        StatePath.EnsureValidFolder(path);
        lock (_readLock)
        {
            var from = Resolve(fromRevision, nameof(fromRevision))!;
            var to = Resolve(toRevision, nameof(toRevision))!;
            var paths = path.Length == 0 ? null : new[] { path };
            var patch = Reader.Diff.Compare<Patch>(from.Tree, to.Tree, paths, new CompareOptions { ContextLines = 3 });
            IReadOnlyList<FileDiff> diffs = patch
                .Where(e => StatePath.IsWithin(e.Path, path))
                .Select(e => new FileDiff(e.Path, e.Status switch
                {
                    ChangeKind.Added => FileChangeKind.Added,
                    ChangeKind.Deleted => FileChangeKind.Deleted,
                    _ => FileChangeKind.Modified,
                }, e.Patch))
                .OrderBy(d => d.Path, StringComparer.Ordinal)
                .ToList();
            return Task.FromResult(diffs);
        }
    }

    public async Task<string> RevertAsync(RevertRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        StatePath.EnsureValidFolder(request.Path);
        Dictionary<string, ReadOnlyMemory<byte>> puts = [];
        List<string> deletes = [];
        string? head;
        lock (_readLock)
        {
            var target = Resolve(request.ToRevision, nameof(request.ToRevision))!;
            var current = Resolve(null, "revision");
            head = current?.Sha;
            var wanted = Files(target, request.Path);
            var present = current is null ? [] : Files(current, request.Path);
            foreach (var (file, blob) in wanted)
            {
                if (!present.TryGetValue(file, out var now) || now.Id != blob.Id)
                {
                    puts[file] = ReadBlob(blob);
                }
            }

            deletes.AddRange(present.Keys.Where(file => !wanted.ContainsKey(file)).Order(StringComparer.Ordinal));
        }

        if (puts.Count == 0 && deletes.Count == 0)
        {
            return head ?? throw new StateStoreException("The repository is empty; there is nothing to revert.");
        }

        return await CommitAsync(new Change
        {
            Puts = puts,
            Deletes = deletes,
            Author = request.Author,
            Message = request.Message ?? $"Revert {(request.Path.Length == 0 ? "everything" : request.Path)} to {request.ToRevision[..12]}",
            ChangeId = request.ChangeId,
            Tenant = request.Tenant,
            Claim = request.Claim,
            BaseRevision = head,
        }, cancellationToken);
    }

    private Repository Reader => _reader ?? throw new InvalidOperationException("The Git state store is not started.");

    private T Read<T>(string? revision, Func<Commit?, T> read)
    {
        lock (_readLock)
        {
            return read(Resolve(revision, "revision"));
        }
    }

    /// <summary>The commit named by <paramref name="revision"/>, or the head (null when empty) when it is null.</summary>
    private Commit? Resolve(string? revision, string field)
    {
        var wanted = revision ?? _headText;
        if (wanted is null)
        {
            return null;
        }

        if (!StateRevision.IsWellFormed(wanted) || Reader.Lookup<Commit>(new ObjectId(wanted)) is not { } commit)
        {
            var errors = new ValidationErrors();
            errors.Add(field, "is not a revision of this repository");
            errors.ThrowIfAny();
            return null;
        }

        return commit;
    }

    private static ObjectId? EntryId(Commit commit, string path) =>
        path.Length == 0 ? commit.Tree.Id : commit.Tree[path]?.Target.Id;

    private static byte[] ReadBlob(Blob blob)
    {
        using var stream = blob.GetContentStream();
        var content = new byte[blob.Size];
        stream.ReadExactly(content);
        return content;
    }

    /// <summary>Every file at or below <paramref name="path"/> in <paramref name="commit"/>, by path.</summary>
    private static Dictionary<string, Blob> Files(Commit commit, string path)
    {
        var files = new Dictionary<string, Blob>(StringComparer.Ordinal);
        var entry = path.Length == 0 ? null : commit.Tree[path];
        if (entry?.Target is Blob blob)
        {
            files[path] = blob;
        }
        else if ((path.Length == 0 ? commit.Tree : entry?.Target as Tree) is { } tree)
        {
            Collect(tree, path, files);
        }

        return files;

        static void Collect(Tree tree, string prefix, Dictionary<string, Blob> into)
        {
            foreach (var e in tree)
            {
                var full = prefix.Length == 0 ? e.Name : prefix + "/" + e.Name;
                if (e.Target is Tree sub)
                {
                    Collect(sub, full, into);
                }
                else if (e.Target is Blob b)
                {
                    into[full] = b;
                }
            }
        }
    }

    private static StateCommit ToStateCommit(Commit commit)
    {
        var trailers = new Dictionary<string, string>(StringComparer.Ordinal);
        var message = commit.Message;
        var lastParagraph = message.TrimEnd().Split("\n\n").Last();
        foreach (var line in lastParagraph.Split('\n'))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && !line[..colon].Contains(' ', StringComparison.Ordinal))
            {
                trailers[line[..colon]] = line[(colon + 2)..];
            }
        }

        return new StateCommit
        {
            Revision = commit.Sha,
            Author = new ChangeAuthor(commit.Author.Name, commit.Author.Email),
            When = commit.Author.When,
            Message = message,
            Trailers = trailers,
        };
    }
}
