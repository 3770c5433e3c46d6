using Microsoft.Extensions.Options;

namespace Gantry.Git;

/// <summary>How the committer turns queued changes into commits.</summary>
public enum GitCommitMode
{
    /// <summary>One commit per change, chained in queue order: a clean audit trail (default).</summary>
    PerChange,

    /// <summary>One commit per batch carrying every change's trailers: fewer objects, less history.</summary>
    PerBatch,
}

/// <summary>Where the desired state lives and how it is committed and pushed (configuration section "Git").</summary>
public sealed class GitOptions
{
    public const string SectionName = "Git";

    /// <summary>The local bare repository; defaults to "state.git" inside <see cref="DataDirectory"/>.</summary>
    public string? RepositoryPath { get; set; }

    /// <summary>Gantry's data folder, used to derive <see cref="RepositoryPath"/> when that is not set.</summary>
    public string? DataDirectory { get; set; }

    public string Branch { get; set; } = "main";

    /// <summary>None (embedded default), a local path or file:// URL, or an http(s):// URL of a smart HTTP remote.</summary>
    public string? Remote { get; set; }

    public string? Username { get; set; }

    /// <summary>Password or token for <see cref="Username"/>; prefer <see cref="PasswordFile"/>.</summary>
    public string? Password { get; set; }

    /// <summary>A file holding the password or token (e.g. a mounted Kubernetes secret); read at start.</summary>
    public string? PasswordFile { get; set; }

    public GitCommitMode CommitMode { get; set; } = GitCommitMode.PerChange;

    /// <summary>Most changes taken from the queue into one batch (one pack, one push).</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>
    /// While a batch is being stored, how long the next one waits for more changes before it is sealed (group
    /// commit window). A push or an fsync costs about the same for 100 changes as for 300, so a couple of
    /// milliseconds here buy larger batches; zero turns it off.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Most changes waiting in the queue before callers wait to enqueue.</summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>How often a rejected push is retried (after fetching and re-applying) before the batch fails.</summary>
    public int PushRetries { get; set; } = 8;

    /// <summary>First wait before retrying a rejected push; doubled per attempt up to <see cref="MaxPushRetryDelay"/>, with jitter.</summary>
    public TimeSpan PushRetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxPushRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// With replicas sharing the remote (a write lease is registered): most batches pushed in one turn of the lease
    /// before it is handed to the next replica waiting, which bounds how long the others wait for it.
    /// </summary>
    public int LeaseBatches { get; set; } = 4;

    /// <summary>
    /// Longest wait for the write lease; past it the batch is pushed without the lease, as a lone writer would (the
    /// remote still refuses a push that is not a fast-forward).
    /// </summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one push or fetch.</summary>
    public TimeSpan RemoteTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Most trees the in-memory tree cache holds before it is dropped and reloaded along changed paths.</summary>
    public int MaxCachedTrees { get; set; } = 50_000;

    /// <summary>
    /// Most bytes of packs libgit2 keeps memory-mapped at once, for the whole process (in windows of 4 MiB, the least
    /// recently used unmapped first). libgit2's own default, 8 GiB, keeps every pack it read mapped and resident.
    /// </summary>
    public long MaxMappedPackBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Most bytes of commits and trees libgit2 keeps in its object cache, for the whole process. libgit2's own default,
    /// 256 MiB, fills with every tenant folder a replica ever read; evicted objects are read again from the packs.
    /// </summary>
    public long MaxObjectCacheBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Every batch adds a pack; once more small packs than this pile up they are merged into one.</summary>
    public int PackMergeThreshold { get; set; } = 50;

    /// <summary>fsync packs, refs and folders before acknowledging when there is no remote. Only tests turn this off.</summary>
    public bool SyncToDisk { get; set; } = true;

    public string CommitterName { get; set; } = "Gantry";

    public string CommitterEmail { get; set; } = "gantry@localhost";

    /// <summary>The repository folder this configuration names.</summary>
    public string ResolveRepositoryPath() =>
        Path.GetFullPath(!string.IsNullOrWhiteSpace(RepositoryPath) ? RepositoryPath : Path.Combine(DataDirectory ?? "data", "state.git"));
}

/// <summary>Checks <see cref="GitOptions"/> at start and names each bad key.</summary>
internal sealed class GitOptionsValidator : IValidateOptions<GitOptions>
{
    public ValidateOptionsResult Validate(string? name, GitOptions options)
    {
        var errors = new List<string>();
        var prefix = GitOptions.SectionName + ":";
        if (string.IsNullOrWhiteSpace(options.RepositoryPath) && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{prefix}{nameof(GitOptions.RepositoryPath)} or {prefix}{nameof(GitOptions.DataDirectory)} must be set.");
        }

        if (string.IsNullOrWhiteSpace(options.Branch) || options.Branch.Contains("..", StringComparison.Ordinal)
            || options.Branch.Any(c => char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            errors.Add($"{prefix}{nameof(GitOptions.Branch)} must be a valid branch name.");
        }

        if (options.Remote is { Length: > 0 } remote && !RemoteUrl.IsSupported(remote))
        {
            errors.Add($"{prefix}{nameof(GitOptions.Remote)} must be an http(s):// URL, a file:// URL or a local path.");
        }

        if (options.Password is { Length: > 0 } && options.PasswordFile is { Length: > 0 })
        {
            errors.Add($"{prefix}{nameof(GitOptions.Password)} and {prefix}{nameof(GitOptions.PasswordFile)} must not both be set.");
        }

        if (options.MaxBatchSize is < 1 or > 100_000)
        {
            errors.Add($"{prefix}{nameof(GitOptions.MaxBatchSize)} must be between 1 and 100000.");
        }

        if (options.QueueCapacity < 1)
        {
            errors.Add($"{prefix}{nameof(GitOptions.QueueCapacity)} must be at least 1.");
        }

        if (options.MaxCachedTrees < 1)
        {
            errors.Add($"{prefix}{nameof(GitOptions.MaxCachedTrees)} must be at least 1.");
        }

        if (options.MaxObjectCacheBytes < 0)
        {
            errors.Add($"{prefix}{nameof(GitOptions.MaxObjectCacheBytes)} must be 0 (no cache) or more.");
        }

        if (options.MaxMappedPackBytes < 4L * 1024 * 1024)
        {
            errors.Add($"{prefix}{nameof(GitOptions.MaxMappedPackBytes)} must be at least 4194304 (4 MiB).");
        }

        if (options.PackMergeThreshold is < 2 or > 10_000)
        {
            errors.Add($"{prefix}{nameof(GitOptions.PackMergeThreshold)} must be between 2 and 10000.");
        }

        if (options.LeaseBatches is < 1 or > 1000)
        {
            errors.Add($"{prefix}{nameof(GitOptions.LeaseBatches)} must be between 1 and 1000.");
        }

        if (options.LeaseTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}{nameof(GitOptions.LeaseTimeout)} must be positive.");
        }

        if (options.PushRetries is < 0 or > 100)
        {
            errors.Add($"{prefix}{nameof(GitOptions.PushRetries)} must be between 0 and 100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
