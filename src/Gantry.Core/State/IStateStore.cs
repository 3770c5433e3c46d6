namespace Gantry.Core.State;

/// <summary>
/// The desired state: a versioned tree of files (a Git repository). Writes are serialized and batched by the
/// store; a write completes only once it is durable (pushed to the remote, or committed, ref updated and
/// synced to disk when there is none). Reads take a revision, or the current head when it is null.
/// </summary>
public interface IStateStore
{
    /// <summary>Commits <paramref name="change"/> and returns the revision that contains it.</summary>
    /// <exception cref="Validation.ValidationFailedException">A path or field of the change is not acceptable; nothing was written.</exception>
    /// <exception cref="ChangeConflictException">A path of the change was changed since its base revision.</exception>
    /// <exception cref="StateStoreException">The change could not be made durable (remote refused, I/O failure).</exception>
    Task<string> CommitAsync(Change change, CancellationToken cancellationToken = default);

    /// <summary>The current head revision, or null while the repository has no commit.</summary>
    Task<string?> GetHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Brings the local copy up to the remote's head (another replica may have pushed since) and returns the head.
    /// A store without a remote, or one nobody else writes, just returns its head.
    /// </summary>
    /// <exception cref="StateStoreException">The remote could not be read.</exception>
    Task<string?> RefreshAsync(CancellationToken cancellationToken = default) => GetHeadAsync(cancellationToken);

    /// <summary>
    /// Like <see cref="RefreshAsync"/>, but asks the remote itself rather than what the other replicas relayed of their
    /// pushes (see <see cref="IRemoteWriteLease"/>): a writer that died between its push and recording it is only seen
    /// this way. For repairs after a writer died; reads of acknowledged writes need only <see cref="RefreshAsync"/>.
    /// </summary>
    /// <exception cref="StateStoreException">The remote could not be read.</exception>
    Task<string?> FetchAsync(CancellationToken cancellationToken = default) => RefreshAsync(cancellationToken);

    /// <summary>Whether <paramref name="revision"/> (40 hexadecimal characters) names a commit this store holds.</summary>
    Task<bool> HasRevisionAsync(string revision, CancellationToken cancellationToken = default) => Task.FromResult(true);

    /// <summary>The content of the file at <paramref name="path"/>, or null when there is none.</summary>
    Task<byte[]?> ReadFileAsync(string path, string? revision = null, CancellationToken cancellationToken = default);

    /// <summary>The entries directly inside <paramref name="folder"/> ("" is the root), sorted by name; empty when it does not exist.</summary>
    Task<IReadOnlyList<StateEntry>> ListAsync(string folder, string? revision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits that changed <paramref name="path"/> (file or folder), newest first, at most <paramref name="limit"/>.
    /// Pass null as <paramref name="cursor"/> for the first page, else <see cref="HistoryPage.NextCursor"/> of the previous page.
    /// </summary>
    Task<HistoryPage> GetHistoryAsync(string path, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>Files under <paramref name="path"/> ("" for all) that differ from <paramref name="fromRevision"/> to <paramref name="toRevision"/>.</summary>
    Task<IReadOnlyList<FileDiff>> DiffAsync(string fromRevision, string toRevision, string path, CancellationToken cancellationToken = default);

    /// <summary>Restores a path to its content at an earlier revision as a new change; returns the new revision.</summary>
    Task<string> RevertAsync(RevertRequest request, CancellationToken cancellationToken = default);
}
