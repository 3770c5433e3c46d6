using System.Text;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;
using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Core.Yaml;
using Gantry.Data.Instances;

namespace Gantry.Server.Instances;

// Reading instances back from Git: claims, history, diffs, and rebuilding the index.
public sealed partial class InstanceService
{
    /// <summary>
    /// An instance's replica count for a list, as JSON (null when its values do not set it): from the tenant's kept
    /// snapshot when it holds the generation the index row shows, else read from Git at the row's revision as
    /// <see cref="GetAsync"/> does. A page of the instance list then costs a lookup per row, not a database and a Git
    /// read per row (100 rows were about 100 ms of a page's 120).
    /// </summary>
    public async Task<string?> ListedReplicasAsync(string tenant, string name, long generation, CancellationToken cancellationToken)
    {
        if (_snapshots.TryGetValue(tenant, out var kept) && kept.Instances.TryGetValue(name, out var instance) && instance.Generation == generation)
        {
            return instance.Replicas;
        }

        return (await GetAsync(tenant, name, cancellationToken))?.Claim is { } claim ? ReplicasOf(claim) : null;
    }

    /// <summary>
    /// Rebuilds the instance index from the claims in Git at the current head: every tenant Gantry knows, each
    /// instance's revision being the last commit that changed its claim, and who changed it that commit's author.
    /// Replaces the index in one transaction.
    /// </summary>
    public async Task<(int Tenants, int Instances)> ReindexAsync(CancellationToken cancellationToken)
    {
        var head = await state.GetHeadAsync(cancellationToken);
        var records = new List<InstanceRecord>();
        var known = await tenants.ListAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var tenant in known)
        {
            foreach (var claim in (await ReadClaimsAsync(tenant.Name, head, cancellationToken)).Values)
            {
                var last = (await HistoryAsync(tenant.Name, claim.Name, 1, null, cancellationToken)).Commits[0];
                var existing = await index.FindAsync(tenant.Name, claim.Name, cancellationToken);
                // Who made the change is the commit at hand's author: it costs nothing more.
                records.Add(CommittedRecord(tenant.Name, claim.Name, claim, last.Revision, last.Author.Name, existing?.CreatedAt ?? last.When, existing?.UpdatedAt ?? now)
                    .WithStatusOf(existing));
            }
        }

        await index.ReplaceAllAsync(records, cancellationToken);
        var withFluxFolders = new List<string>();
        foreach (var tenant in known)
        {
            if (await IsRenderedAsync(tenant.Name, head, cancellationToken))
            {
                withFluxFolders.Add(tenant.Name);
            }
        }

        if (withFluxFolders.Count > 0)
        {
            await AddToFluxIndexAsync(withFluxFolders, new ChangeAuthor("Gantry reindex", "reindex@gantry.invalid"), cancellationToken);
        }

        Log.Reindexed(logger, records.Count, known.Count);
        return (known.Count, records.Count);
    }

    public Task<HistoryPage> HistoryAsync(string tenant, string name, int limit, string? cursor, CancellationToken cancellationToken) =>
        state.GetHistoryAsync(GitOpsLayout.InstanceClaim(tenant, name), limit, cursor, cancellationToken);

    /// <summary>The full revision a caller's revision or prefix names among the instance's changes; see <see cref="InstanceRevisions"/>.</summary>
    public Task<string?> ResolveRevisionAsync(string tenant, string name, string field, string? given, ValidationErrors errors, CancellationToken cancellationToken) =>
        InstanceRevisions.ResolveAsync(state, tenant, name, field, given, errors, cancellationToken);

    public async Task<IReadOnlyList<FileDiff>> DiffAsync(string tenant, string name, string from, string to, CancellationToken cancellationToken)
    {
        var diffs = new List<FileDiff>();
        foreach (var path in GitOpsLayout.InstancePaths(tenant, name))
        {
            diffs.AddRange(await state.DiffAsync(from, to, path, cancellationToken));
        }

        return diffs;
    }

    private async Task<Dictionary<string, InstanceClaim>> ReadClaimsAsync(string tenant, string? revision, CancellationToken cancellationToken)
    {
        var claims = new Dictionary<string, InstanceClaim>(StringComparer.Ordinal);
        if (revision is null)
        {
            return claims;
        }

        foreach (var entry in await state.ListAsync(GitOpsLayout.InstanceClaims(tenant), revision, cancellationToken))
        {
            if (entry.Kind == StateEntryKind.File && entry.Name.EndsWith(".yaml", StringComparison.Ordinal)
                && await ReadClaimAsync(entry.Path, revision, cancellationToken) is { } claim)
            {
                claims[claim.Name] = claim;
            }
        }

        return claims;
    }

    private Task<InstanceClaim?> ReadClaimAsync(string tenant, string name, string? revision, CancellationToken cancellationToken) =>
        ReadClaimAsync(GitOpsLayout.InstanceClaim(tenant, name), revision, cancellationToken);

    private async Task<InstanceClaim?> ReadClaimAsync(string path, string? revision, CancellationToken cancellationToken)
    {
        var bytes = await state.ReadFileAsync(path, revision, cancellationToken);
        return bytes is null ? null : InstanceClaim.FromDocument(YamlJson.Parse(Encoding.UTF8.GetString(bytes)));
    }
}
