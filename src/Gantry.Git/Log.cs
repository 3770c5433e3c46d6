using Microsoft.Extensions.Logging;

namespace Gantry.Git;

/// <summary>Log events of the Git state store (ids 3000-3099). Remotes are logged redacted, never with credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Git state store started: repository {Repository}, branch {Branch}, remote {Remote}, head {Head}")]
    public static partial void Started(ILogger logger, string repository, string branch, string remote, string head);

    [LoggerMessage(3001, LogLevel.Information, "Git state store stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(3002, LogLevel.Debug, "Committed {Count} changes as {Head} in {Milliseconds:0.0} ms")]
    public static partial void BatchCommitted(ILogger logger, int count, string head, double milliseconds);

    [LoggerMessage(3003, LogLevel.Information, "Push to {Remote} refused ({Reason}); fetching and re-applying {Count} changes (attempt {Attempt})")]
    public static partial void PushRejected(ILogger logger, string remote, string reason, int count, int attempt);

    [LoggerMessage(3004, LogLevel.Information, "Change {ChangeId} conflicts with newer changes to {Paths}")]
    public static partial void Conflict(ILogger logger, string changeId, string paths);

    [LoggerMessage(3005, LogLevel.Error, "A batch of {Count} changes failed: {Reason}")]
    public static partial void BatchFailed(ILogger logger, int count, string reason, Exception exception);

    [LoggerMessage(3007, LogLevel.Debug, "Merged {Count} small packs into one")]
    public static partial void PacksMerged(ILogger logger, int count);

    [LoggerMessage(3008, LogLevel.Warning, "Merging small packs failed; will try again later")]
    public static partial void PackMergeFailed(ILogger logger, Exception exception);

    [LoggerMessage(3009, LogLevel.Warning, "The write lease of {Remote} could not be had ({Reason}); pushing without it")]
    public static partial void LeaseUnavailable(ILogger logger, string remote, string reason);

    [LoggerMessage(3006, LogLevel.Debug, "Fetched {Remote}: branch at {Head}")]
    public static partial void Fetched(ILogger logger, string remote, string head);
}
