using Gantry.Core.Environments;
using Gantry.Core.State;

namespace Gantry.Server.Environments;

/// <summary>What a re-render rewrote: the environments whose manifests changed, and the commit of the static ones.</summary>
public sealed record RerenderResult(int Checked, IReadOnlyList<string> Rerendered, string? Revision);

/// <summary>
/// Re-rendering: when the platform's configuration changes what environments are rendered from (an add-on bundle's
/// chart version, a node pool's taint), every stored claim is rendered again and the environments whose manifests
/// differ are rewritten, the static ones in one commit. Versions are not resolved again (that is <c>refresh</c>).
/// </summary>
public sealed partial class EnvironmentManager
{
    private static readonly ChangeAuthor RerenderAuthor = new("Gantry", "gantry@gantry.invalid");

    /// <summary>Renders every environment (of <paramref name="type"/> when given) again and rewrites those that changed.</summary>
    public async Task<RerenderResult> RerenderAsync(string? type, CancellationToken cancellationToken)
    {
        var rerendered = new List<string>();
        var checkedCount = 0;
        string? revision = null;
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await foreach (var (key, json) in bucket.ReadAllAsync(cancellationToken))
            {
                if (Renderable(key, json, type) is not { } rendered)
                {
                    continue;
                }

                checkedCount++;
                if (await bucket.RewriteManifestsIfChangedAsync(rendered.Claim, json, rendered.Manifests, cancellationToken))
                {
                    rerendered.Add(rendered.Claim.EnvironmentName);
                }
            }

            var statics = new List<(EnvironmentClaim Claim, IReadOnlyDictionary<string, byte[]> Manifests)>();
            foreach (var (path, json, _) in await git.ReadAllAsync(cancellationToken))
            {
                if (Renderable(path, json, type) is { } rendered)
                {
                    statics.Add(rendered);
                }
            }

            checkedCount += statics.Count;
            if (statics.Count > 0)
            {
                (revision, var changed) = await git.RewriteManifestsAsync(statics, RerenderAuthor,
                    $"Render {statics.Count} static environment(s) again{(type is null ? string.Empty : $" of type {type}")}\n\nThe platform configuration they are rendered from changed.",
                    cancellationToken);
                foreach (var name in changed)
                {
                    if (await index.FindAsync(name, cancellationToken) is { } record)
                    {
                        // The versions are the ones already resolved; a row indexed before the index kept them gets them here.
                        var claim = statics.Select(s => s.Claim).FirstOrDefault(c => c.EnvironmentName == name && c.EnvironmentPool == record.Pool);
                        await index.UpsertAsync(record with
                        {
                            Revision = revision!,
                            ServiceVersions = claim is null ? record.ServiceVersions : VersionsOf(claim),
                            UpdatedAt = time.GetUtcNow(),
                        }, cancellationToken);
                    }

                    rerendered.Add(name);
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }

        return new RerenderResult(checkedCount, rerendered, revision);
    }

    private (EnvironmentClaim Claim, IReadOnlyDictionary<string, byte[]> Manifests)? Renderable(string location, byte[] json, string? type)
    {
        if (ReadStored(json, location, out var claim) is { } problem)
        {
            Log.NotRerendered(logger, problem);
            return null;
        }

        try
        {
            return type is not null && claim!.EnvironmentType != type ? null : (claim!, EnvironmentRenderer.Render(claim!, services.Catalog, Policies));
        }
        catch (InvalidOperationException e)
        {
            Log.NotRerendered(logger, e.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3704, Level = LogLevel.Warning, Message = "An environment was not rendered again: {Problem}")]
        public static partial void NotRerendered(ILogger logger, string problem);
    }
}
