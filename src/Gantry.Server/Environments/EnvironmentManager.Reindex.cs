using Gantry.Core.Environments;
using Gantry.Core.Validation;
using Gantry.Data.Environments;

namespace Gantry.Server.Environments;

/// <summary>A stored claim that breaks the rules: where it is and what is wrong, in words.</summary>
public sealed record UnreadableClaim(string Location, string Problem);

/// <summary>What a rebuild of the environment index found: the environments indexed and the claims it could not read.</summary>
public sealed record EnvironmentReindex(int Environments, IReadOnlyList<UnreadableClaim> Unreadable);

public sealed partial class EnvironmentManager
{
    /// <summary>
    /// Rebuilds the index from the claims in the bucket and the static ones in Git. A claim that cannot be read (written
    /// into the bucket by hand, truncated, not UTF-8) is refused with its reason, logged and returned; the claim stays
    /// where it is and an index row it had is kept, so a bad file loses nothing and stops nothing.
    /// </summary>
    public async Task<EnvironmentReindex> ReindexAsync(CancellationToken cancellationToken)
    {
        var records = new List<EnvironmentRecord>();
        var unreadable = new List<UnreadableClaim>();
        await foreach (var (key, json) in bucket.ReadAllAsync(cancellationToken))
        {
            if (ReadStored(json, key, out var claim) is { } problem)
            {
                await KeepUnreadableAsync(EnvironmentLayout.ParseBucketClaim(key)?.Name, key, problem, records, unreadable, cancellationToken);
                continue;
            }

            records.Add(RecordOf(claim!, json, claim!.CreationDate ?? time.GetUtcNow()));
        }

        foreach (var (path, json, revision) in await git.ReadAllAsync(cancellationToken))
        {
            if (ReadStored(json, path, out var claim) is { } problem)
            {
                var segments = path.Split('/');
                await KeepUnreadableAsync(segments.Length >= 2 ? segments[^2] : null, path, problem, records, unreadable, cancellationToken);
                continue;
            }

            records.Add(RecordOf(claim!, json, claim!.CreationDate ?? time.GetUtcNow()) with { Revision = revision });
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await index.ReplaceAllAsync(records.DistinctBy(r => r.Name), cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }

        return new EnvironmentReindex(records.Count, unreadable);
    }

    private async Task KeepUnreadableAsync(
        string? name, string location, string problem, List<EnvironmentRecord> records, List<UnreadableClaim> unreadable, CancellationToken cancellationToken)
    {
        Log.UnreadableClaim(logger, location, problem);
        unreadable.Add(new UnreadableClaim(location, problem));
        if (name is not null && await index.FindAsync(name, cancellationToken) is { } kept)
        {
            records.Add(kept);
        }
    }

    /// <summary>Reads a stored claim; null when it is good, else what is wrong with it (never an exception: the caller decides).</summary>
    private static string? ReadStored(byte[] json, string location, out EnvironmentClaim? claim)
    {
        claim = null;
        try
        {
            JsonInput.CheckFile(json, location);
            claim = EnvironmentJson.Parse(json);
            return null;
        }
        catch (JsonInputException e)
        {
            return e.Message;
        }
        catch (ValidationFailedException e)
        {
            return $"{location}: {string.Join("; ", e.Errors.Select(f => $"{f.Key} {string.Join(", ", f.Value)}"))}.";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3702, Level = LogLevel.Warning, Message = "Environment claim {Location} cannot be read and was left as it is: {Problem}")]
        public static partial void UnreadableClaim(ILogger logger, string location, string problem);
    }
}
