using Gantry.Core.Environments;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Server.Audit;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

/// <summary>
/// Watches the environments bucket for claims that appear, change or disappear without the API (the design's
/// direct upload) by listing it with each object's version (S3 ETags; size and write time in the folder default)
/// every <see cref="EnvironmentOptions.WatchInterval"/>. A new or changed claim is applied as if it came through
/// the API and audited with its key as the actor; a vanished one tears its environment down. A bad claim never
/// stops the watch: it is reported (<see cref="BucketClaimProblems"/>) and the previous good state stays deployed.
/// </summary>
public sealed partial class EnvironmentBucketWatcher(
    BucketEnvironmentStore bucket,
    StaticEnvironmentPublisher publisher,
    GitEnvironmentStore git,
    EnvironmentManager environments,
    Data.Environments.EnvironmentRepository index,
    BucketClaimProblems problems,
    AuditLog audit,
    TimeProvider time,
    IOptions<EnvironmentOptions> options,
    ILogger<EnvironmentBucketWatcher> logger) : BackgroundService
{
    /// <summary>The actor kind of changes made by a bucket upload.</summary>
    public const string OriginKind = "BucketObject";

    private readonly Dictionary<string, string> _versions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _scanGate = new(1, 1);
    private bool _scanned;

    /// <summary>One pass over the bucket; returns how many claims it applied or removed.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        await _scanGate.WaitAsync(cancellationToken);
        try
        {
            var acted = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var entry in bucket.ListClaimsAsync(cancellationToken))
            {
                seen.Add(entry.Key);
                if (_versions.TryGetValue(entry.Key, out var version) && version == entry.Version)
                {
                    continue;
                }

                _versions[entry.Key] = entry.Version;
                if (await ApplyAsync(entry.Key, cancellationToken))
                {
                    acted++;
                }
            }

            // The first pass also finds the claims removed while Gantry was not running: indexed, but not listed.
            var vanished = _versions.Keys.Where(k => !seen.Contains(k)).ToList();
            if (!_scanned)
            {
                vanished.AddRange(await IndexedBucketClaimsAsync(seen, cancellationToken));
                _scanned = true;
            }

            foreach (var key in vanished)
            {
                _versions.Remove(key);
                problems.Clear(key);
                if (await environments.RemoveVanishedBucketClaimAsync(key, cancellationToken) is { } removed)
                {
                    await audit.RecordOriginAsync(key, OriginKind, EnvironmentAuditActions.Deleted, removed.Pool, removed.Name, "the claim was removed from the bucket");
                    acted++;
                }
            }

            await ScanStaticAsync(cancellationToken);
            return acted;
        }
        finally
        {
            _scanGate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WatchBucket)
        {
            return;
        }

        // The cadence is wall-clock polling, not logic: it does not follow an injected test clock.
        using var timer = new PeriodicTimer(options.Value.WatchInterval, TimeProvider.System);
        do
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The bucket briefly away: the next pass lists it again.
                Log.ScanFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        _scanGate.Dispose();
        base.Dispose();
    }

    private async Task<List<string>> IndexedBucketClaimsAsync(HashSet<string> listed, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await index.ListAsync(new Data.Environments.EnvironmentQuery { After = after, Limit = 500 }, cancellationToken);
            missing.AddRange(page.Where(r => !EnvironmentManager.IsStatic(r))
                .Select(r => EnvironmentLayout.BucketClaim(r.Pool, r.Name))
                .Where(k => !listed.Contains(k)));
            if (page.Count < 500)
            {
                return missing;
            }

            after = page[^1].Name;
        }
    }

    private async Task<bool> ApplyAsync(string key, CancellationToken cancellationToken)
    {
        var (pool, name) = EnvironmentLayout.ParseBucketClaim(key)!.Value;
        IReadOnlyList<string> reasons;
        try
        {
            if (await bucket.ReadKeyAsync(key, cancellationToken) is not { } json)
            {
                return false;
            }

            var state = await environments.ApplyBucketClaimAsync(key, json, cancellationToken);
            problems.Clear(key);
            if (state is null)
            {
                return false;
            }

            await audit.RecordOriginAsync(key, OriginKind, EnvironmentAuditActions.Applied, pool, name,
                string.Join(", ", state.Claim.Services.Select(s => $"{s.Name} {s.Version} -> {s.ResolvedVersion}")));
            Log.Applied(logger, key);
            return true;
        }
        catch (JsonInputException e)
        {
            reasons = [e.Message];
        }
        catch (ValidationFailedException e)
        {
            reasons = [.. e.Errors.SelectMany(f => f.Value.Select(m => $"{f.Key}: {m}"))];
        }
        catch (VersionNotResolvedException e)
        {
            reasons = [$"services.{e.Service}.version: {e.Message}"];
        }

        problems.Report(key, pool, name, reasons, time.GetUtcNow());
        Log.Invalid(logger, key, string.Join("; ", reasons));
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3731, Level = LogLevel.Information, Message = "Applied the environment claim {Key} put into the bucket")]
        public static partial void Applied(ILogger logger, string key);

        [LoggerMessage(EventId = 3732, Level = LogLevel.Warning, Message = "The environment claim {Key} in the bucket is invalid: {Reasons}")]
        public static partial void Invalid(ILogger logger, string key, string reasons);

        [LoggerMessage(EventId = 3733, Level = LogLevel.Warning, Message = "A pass over the environments bucket failed; the next one tries again")]
        public static partial void ScanFailed(ILogger logger, Exception exception);
    }
}
