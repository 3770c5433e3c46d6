using Gantry.Core.Environments;
using Gantry.Core.State;

namespace Gantry.Server.Environments;

/// <summary>An environment the legacy pool migration rewrote, and how its services were placed.</summary>
public sealed record MigratedEnvironment(string Pool, string Name, string Detail);

/// <summary>
/// The one-time migration of claims stored before node pools (docs/environments.md#migration): every service gets
/// a node pool (the old pool where the type allows it), the environment is rendered again and written back where it
/// lives. A migrated claim is not legacy any more, so running it again changes nothing.
/// </summary>
public sealed partial class EnvironmentManager
{
    private static readonly ChangeAuthor MigrationAuthor = new("Gantry migration", "migration@gantry.invalid");

    /// <summary>Migrates every legacy claim in the bucket and in Git; returns what it rewrote.</summary>
    public async Task<IReadOnlyList<MigratedEnvironment>> MigrateLegacyClaimsAsync(CancellationToken cancellationToken)
    {
        var migrated = new List<MigratedEnvironment>();
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await foreach (var (key, json) in bucket.ReadAllAsync(cancellationToken))
            {
                if (Legacy(key, json) is not { } claim || Migrate(claim) is not { } result)
                {
                    continue;
                }

                var (next, manifests, detail) = result;

                var stored = EnvironmentJson.Serialize(next);
                await bucket.WriteAsync(next, stored, manifests, cancellationToken);
                await index.UpsertAsync(RecordOf(next, stored, time.GetUtcNow()), cancellationToken);
                migrated.Add(new MigratedEnvironment(next.EnvironmentPool, next.EnvironmentName, detail));
            }

            foreach (var (path, json, _) in await git.ReadAllAsync(cancellationToken))
            {
                if (Legacy(path, json) is not { } claim || Migrate(claim) is not { } result)
                {
                    continue;
                }

                var (next, manifests, detail) = result;

                var stored = EnvironmentJson.Serialize(next);
                var revision = await git.WriteAsync(next, stored, manifests, MigrationAuthor,
                    $"Migrate environment {next.EnvironmentPool}/{next.EnvironmentName} to node pools\n\n{detail}", cancellationToken);
                await index.UpsertAsync(RecordOf(next, stored, time.GetUtcNow()) with { Revision = revision }, cancellationToken);
                migrated.Add(new MigratedEnvironment(next.EnvironmentPool, next.EnvironmentName, detail));
            }
        }
        finally
        {
            _writeGate.Release();
        }

        return migrated;
    }

    private EnvironmentClaim? Legacy(string location, byte[] json)
    {
        if (ReadStored(json, location, out var claim) is { } problem)
        {
            // Left as it is: the reindex reports it with the other unreadable claims.
            Log.UnreadableClaim(logger, location, problem);
            return null;
        }

        return LegacyPoolMigration.IsLegacy(claim!) ? claim : null;
    }

    private (EnvironmentClaim Claim, IReadOnlyDictionary<string, byte[]> Manifests, string Detail)? Migrate(EnvironmentClaim claim)
    {
        var next = LegacyPoolMigration.Migrate(claim, Policies, services.Catalog, out var moved);
        try
        {
            var manifests = EnvironmentRenderer.Render(next, services.Catalog, Policies);
            var detail = moved.Count == 0
                ? $"every service stays on node pool {claim.EnvironmentPool}"
                : $"moved to the catalog's node pool (the type does not allow {claim.EnvironmentPool}): {string.Join("; ", moved)}";
            return (next, manifests, detail);
        }
        catch (InvalidOperationException e)
        {
            // A service that left the catalog or a type that is gone: leave the claim as it is, readable and deletable.
            Log.NotMigrated(logger, claim.EnvironmentName, e.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3703, Level = LogLevel.Warning, Message = "Environment {Name} was not migrated to node pools: {Problem}")]
        public static partial void NotMigrated(ILogger logger, string name, string problem);
    }
}
