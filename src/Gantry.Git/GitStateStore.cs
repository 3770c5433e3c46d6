using System.Diagnostics;
using System.Threading.Channels;
using Gantry.Core.Caching;
using Gantry.Core.Diagnostics;
using Gantry.Core.State;
using Gantry.Git.Objects;
using Gantry.Git.Remotes;
using Gantry.Git.Storage;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Git;

/// <summary>
/// The desired state in a bare Git repository, optionally mirrored to a remote. Callers enqueue changes; one
/// committer task per store takes whatever is queued, writes it as one pack (blobs, only the trees along
/// changed paths, commits), pushes that pack once, moves the branch, and only then completes the callers'
/// tasks. See docs/git-engine.md for the design and its measurements.
/// </summary>
public sealed partial class GitStateStore(
    IOptions<GitOptions> options,
    TimeProvider timeProvider,
    ILogger<GitStateStore> logger,
    GitMetrics? metrics = null,
    IRemoteWriteLease? lease = null) : IStateStore, IAsyncDisposable, IDisposable
{
    private const string RemoteName = "origin";

    private readonly GitOptions _options = options.Value;
    private readonly GitMetrics _metrics = metrics ?? new GitMetrics();
    private readonly bool _ownsMetrics = metrics is null;
    private readonly Lock _readLock = new();

    // The id of each tenant folder in the last commit built here that changed it: a change is based on the commit of
    // its tenant's previous change, so the conflict check finds the folder's id at its base here instead of walking
    // the commit's trees in the packs through libgit2. Content ids, so an entry is true whether or not its commit landed.
    // One entry per folder, not per commit: older commits are never a base again, and a commit id per change was
    // tens of megabytes of strings at 100,000 changes.
    private readonly BoundedCache<string, (string Revision, GitHash Id)> _latestFolders = new(100_000, StringComparer.Ordinal);
    private readonly Channel<PendingChange> _queue = Channel.CreateBounded<PendingChange>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private string _gitDir = "";
    private string _refName = "";
    private Repository? _writer;
    private Repository? _reader;
    private NativeTreeReader? _native;
    private IRemoteTarget? _remote;
    private string? _password;
    private string? _username;
    private string? _fetchUrl;
    private TreeCache? _tree;
    private GitHash? _head;
    private GitHash? _cacheHead;
    private GitHash? _buildHead;
    private int _packsSinceMerge;
    private Task<(List<string> Packs, string Merged)>? _merging;
    private Task? _committer;
    private volatile string? _headText;

    /// <summary>The repository folder in use (after start).</summary>
    public string RepositoryPath => _gitDir;

    /// <summary>Bytes of packs pushed to an HTTP remote since start.</summary>
    public long BytesPushed => (_remote as HttpRemote)?.BytesSent ?? 0;

    /// <summary>
    /// Opens or creates the repository, fetches the remote (when one is configured) and starts the committer.
    /// Fails with <see cref="StateStoreException"/> when the remote cannot be reached or refuses the credentials.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_committer is not null)
        {
            throw new InvalidOperationException("The Git state store is already started.");
        }

        _gitDir = _options.ResolveRepositoryPath();
        _refName = "refs/heads/" + _options.Branch;
        var created = !Repository.IsValid(_gitDir);
        if (created)
        {
            Directory.CreateDirectory(_gitDir);
            Repository.Init(_gitDir, isBare: true);
            RepositoryFiles.SetHead(_gitDir, _refName);
        }

        RepositoryFiles.RemoveLeftovers(_gitDir, _refName);
        _writer = new Repository(_gitDir);
        _reader = new Repository(_gitDir);
        _native = NativeTreeReader.TryOpen(_gitDir);
        PackMapping.TryLimit(_options.MaxMappedPackBytes);
        ObjectCache.TryLimit(_options.MaxObjectCacheBytes);
        _tree = new TreeCache(LoadTree);

        if (!string.IsNullOrWhiteSpace(_options.Remote))
        {
            await ConnectRemoteAsync(cancellationToken);
            FetchRemote(adopt: true);
        }

        _head = RepositoryFiles.ReadRef(_gitDir, _refName);
        if (_head is { } head && _writer.Lookup<Commit>(new ObjectId(head.ToString())) is null)
        {
            throw new StateStoreException($"The branch {_refName} of {_gitDir} points at a missing commit {head}.");
        }

        _headText = _head?.ToString();
        _buildHead = _head;
        Log.Started(logger, _gitDir, _options.Branch, _remote?.DisplayUrl ?? "(none)", _headText ?? "(empty)");
        _committer = Task.Run(RunCommitterAsync, CancellationToken.None);
    }

    /// <summary>Stops taking changes, lets the committer finish what is queued, then releases the repository.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _queue.Writer.TryComplete();
        if (_committer is { } committer)
        {
            await committer.WaitAsync(cancellationToken);
            if (_merging is { } merging)
            {
                // Let a background merge finish before the repository is released; its small packs stay until next time.
                await merging.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).WaitAsync(cancellationToken);
            }

            Log.Stopped(logger);
        }
    }

    public async Task<string> CommitAsync(Change change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        change.EnsureValid();
        if (_committer is null)
        {
            throw new InvalidOperationException("The Git state store is not started.");
        }

        // The request's span covers the wait in the queue, the batch and the push; the batch's own span links back to it.
        using var activity = GantryTracing.Source.StartActivity("gantry.git.commit");
        activity?.SetTag(GantryTracing.Tags.Tenant, change.Tenant);
        var pending = new PendingChange(change, activity?.Context);
        _metrics.Enqueued();
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            _metrics.Dequeued();
            throw new StateStoreException("The Git state store is stopping and takes no more changes.");
        }
        catch
        {
            _metrics.Dequeued();
            throw;
        }

        using var registration = cancellationToken.Register(static p => ((PendingChange)p!).TryCancel(), pending);
        var revision = await pending.Done.Task;
        activity?.SetTag(GantryTracing.Tags.Commit, revision);
        return revision;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _remote?.Dispose();
        _native?.Dispose();
        _writer?.Dispose();
        _reader?.Dispose();
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    private async Task ConnectRemoteAsync(CancellationToken cancellationToken)
    {
        var (url, urlUser, urlPassword) = RemoteUrl.Split(_options.Remote!);
        _username = _options.Username ?? urlUser;
        _password = _options.Password ?? urlPassword;
        if (!string.IsNullOrWhiteSpace(_options.PasswordFile))
        {
            _password = (await File.ReadAllTextAsync(_options.PasswordFile, cancellationToken)).Trim();
        }

        if (RemoteUrl.IsHttp(url))
        {
            _remote = new HttpRemote(url, _username, _password, _refName, _options.RemoteTimeout);
            _fetchUrl = url;
        }
        else
        {
            var path = RemoteUrl.LocalPath(url)!;
            var gitDir = Directory.Exists(Path.Combine(path, ".git")) ? Path.Combine(path, ".git") : path;
            _remote = new FileRemote(gitDir, _refName, _options.SyncToDisk);
            _fetchUrl = gitDir;
        }

        await _remote.CheckAccessAsync(cancellationToken);
        var existing = _writer!.Network.Remotes[RemoteName];
        if (existing is null)
        {
            _writer.Network.Remotes.Add(RemoteName, _fetchUrl, $"+{_refName}:refs/remotes/{RemoteName}/{_options.Branch}");
        }
        else if (existing.Url != _fetchUrl)
        {
            _writer.Network.Remotes.Update(RemoteName, r => r.Url = _fetchUrl);
        }
    }

    /// <summary>Fetches the branch; with <paramref name="adopt"/> the local branch is set to the remote's. Returns the remote head.</summary>
    private GitHash? FetchRemote(bool adopt)
    {
        var fetchOptions = new FetchOptions { TagFetchMode = TagFetchMode.None, Prune = false };
        if (_username is not null || _password is not null)
        {
            fetchOptions.CredentialsProvider = (_, _, _) => new UsernamePasswordCredentials { Username = _username ?? "", Password = _password ?? "" };
        }

        var tracking = $"refs/remotes/{RemoteName}/{_options.Branch}";
        var started = Stopwatch.GetTimestamp();
        try
        {
            Commands.Fetch(_writer!, RemoteName, [$"+{_refName}:{tracking}"], fetchOptions, "gantry: fetch");
            _metrics.FetchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (LibGit2SharpException e)
        {
            throw new StateStoreException($"Fetching {_remote!.DisplayUrl} failed: {RemoteUrl.Scrub(e.Message, _password)}");
        }

        var remoteHead = RepositoryFiles.ReadRef(_gitDir, tracking);
        var reference = _writer!.Refs[tracking];
        if (reference is not null)
        {
            remoteHead = GitHash.Parse(reference.TargetIdentifier);
        }

        Log.Fetched(logger, _remote!.DisplayUrl, remoteHead?.ToString() ?? "(empty)");
        if (adopt)
        {
            // The remote is the truth: anything local that is not there was never acknowledged.
            if (remoteHead is { } h)
            {
                RepositoryFiles.TryUpdateRef(_gitDir, _refName, null, h, _options.SyncToDisk, force: true);
            }
            else
            {
                File.Delete(Path.Combine(_gitDir, _refName));
            }
        }

        return remoteHead;
    }

    private byte[] LoadTree(GitHash id) => _native?.TryRead(id) ?? LoadTreeThroughLibGit2Sharp(id);

    private byte[] LoadTreeThroughLibGit2Sharp(GitHash id)
    {
        var tree = _writer!.Lookup<Tree>(new ObjectId(id.ToString()))
            ?? throw new StateStoreException($"Tree {id} is missing from {_gitDir}.");
        return TreeBytes.Write(tree.Select(entry => new TreeItem(entry.Name, (int)entry.Mode, GitHash.FromBytes(entry.Target.Id.RawId))));
    }

    /// <summary>A queued change and the task its caller awaits.</summary>
    private sealed class PendingChange(Change change, ActivityContext? trace)
    {
        private int _state; // 0 queued, 1 taken by the committer, 2 cancelled by the caller

        public Change Change { get; } = change;

        /// <summary>The span of the request that queued the change, for the batch's span to link to.</summary>
        public ActivityContext? Trace { get; } = trace;

        public TaskCompletionSource<string> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void TryCancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
            {
                Done.TrySetCanceled();
            }
        }
    }
}
