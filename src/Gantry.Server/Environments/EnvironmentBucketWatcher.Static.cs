using Gantry.Core.Environments;

namespace Gantry.Server.Environments;

/// <summary>
/// The static-environments bucket: only <see cref="StaticEnvironmentPublisher"/> writes it, so an object that is not
/// the claim committed to Git (a foreign write, or a removal while the environment still exists) is an alert:
/// reported beside the bucket's invalid claims, audited and logged, and never acted on.
/// </summary>
public sealed partial class EnvironmentBucketWatcher
{
    /// <summary>The prefix that marks a static-environments key among the reported problems.</summary>
    public const string StaticPrefix = "static-environments/";

    private readonly Dictionary<string, string> _staticVersions = new(StringComparer.Ordinal);

    private async Task ScanStaticAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in publisher.ListAsync(cancellationToken))
        {
            seen.Add(entry.Key);
            if (_staticVersions.TryGetValue(entry.Key, out var version) && version == entry.Version)
            {
                continue;
            }

            _staticVersions[entry.Key] = entry.Version;
            var published = await publisher.ReadAsync(entry.Key, cancellationToken);
            await CheckPublishedAsync(entry.Key, published, cancellationToken);
        }

        foreach (var key in _staticVersions.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _staticVersions.Remove(key);
            await CheckPublishedAsync(key, null, cancellationToken);
        }
    }

    private async Task CheckPublishedAsync(string key, byte[]? published, CancellationToken cancellationToken)
    {
        var claimKey = EnvironmentLayout.ParseBucketClaim(key);
        var committed = claimKey is var (pool, name) ? await git.ReadAsync(pool, name, cancellationToken) : null;
        var problem = (published, committed) switch
        {
            _ when claimKey is null => "an object that is not a claim was written by something other than Gantry's publisher",
            (null, null) => null,
            (null, _) => "the published claim was removed by something other than Gantry's publisher while the environment exists",
            (_, null) => "a claim was written by something other than Gantry's publisher: there is no such static environment",
            _ when !published.AsSpan().SequenceEqual(committed) => "the published claim was changed by something other than Gantry's publisher",
            _ => null,
        };
        if (problem is null)
        {
            problems.Clear(StaticPrefix + key);
            return;
        }

        var (alertPool, alertName) = claimKey ?? (string.Empty, key);
        problems.Report(StaticPrefix + key, alertPool, alertName, [$"{problem}; Gantry does not act on it"], time.GetUtcNow(), BucketClaimProblems.AlertPhase);
        await audit.RecordSystemAsync(EnvironmentAuditActions.Alerted, alertPool.Length == 0 ? null : alertPool, alertName, $"{StaticPrefix}{key}: {problem}");
        Log.StaticAlert(logger, key, problem);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3734, Level = LogLevel.Warning, Message = "Alert on the static-environments bucket, {Key}: {Problem}")]
        public static partial void StaticAlert(ILogger logger, string key, string problem);
    }
}
