namespace Gantry.Core.State;

/// <summary>What a folder entry is.</summary>
public enum StateEntryKind
{
    File,
    Folder,
}

/// <summary>One entry of a folder listing: its name, full path and kind.</summary>
public sealed record StateEntry(string Name, string Path, StateEntryKind Kind);

/// <summary>One commit as history shows it.</summary>
public sealed record StateCommit
{
    public required string Revision { get; init; }

    public required ChangeAuthor Author { get; init; }

    public required DateTimeOffset When { get; init; }

    /// <summary>The full message, trailers included.</summary>
    public required string Message { get; init; }

    public IReadOnlyDictionary<string, string> Trailers { get; init; } = new Dictionary<string, string>();
}

/// <summary>A page of history, newest first; pass <see cref="NextCursor"/> back to get the next page.</summary>
public sealed record HistoryPage(IReadOnlyList<StateCommit> Commits, string? NextCursor);

/// <summary>How one file differs between two revisions.</summary>
public enum FileChangeKind
{
    Added,
    Modified,
    Deleted,
}

/// <summary>One changed file with its unified diff (as <c>git diff</c> prints it; empty for binary files).</summary>
public sealed record FileDiff(string Path, FileChangeKind Kind, string Patch);

/// <summary>Asks to restore a path (file or folder) to what it was at an earlier revision, as a new change.</summary>
public sealed record RevertRequest
{
    public required string Path { get; init; }

    public required string ToRevision { get; init; }

    public required ChangeAuthor Author { get; init; }

    public string? Message { get; init; }

    public string? ChangeId { get; init; }

    public string? Tenant { get; init; }

    public string? Claim { get; init; }
}
