using System.Collections.Immutable;
using Gantry.Core.Identity;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;
using Gantry.Core.State;

namespace Gantry.Server.Instances;

/// <summary>One instance's part of a batch: the claim it must still have when the batch is made, and the one it gets.</summary>
public sealed record BatchChange(InstanceClaim Expected, InstanceClaim Next);

/// <summary>What became of one instance of a batch: its new state, or why it was left as it is.</summary>
public sealed record BatchOutcome(string Tenant, string Name, InstanceState? State, string? Skipped);

// Many instances, of many tenants, in one commit: a rollout's wave.
public sealed partial class InstanceService
{
    /// <summary>How many index writes of a batch run at once.</summary>
    public const int IndexParallelism = 16;

    /// <summary>
    /// The claims of the named instances of the tenant as the next change would read them (from Git, at its snapshot's
    /// revision; a name it does not have is left out), and how many instances the tenant has.
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, InstanceClaim> Claims, int Count)> ClaimsAsync(
        string tenant, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(tenant, fresh: false, cancellationToken);
        var claims = new Dictionary<string, InstanceClaim>(StringComparer.Ordinal);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (await ClaimInAsync(snapshot, tenant, name, cancellationToken) is { } claim)
            {
                claims[name] = claim;
            }
        }

        return (claims, snapshot.Instances.Count);
    }

    /// <summary>The instance's claim as it was at <paramref name="revision"/>; null when it did not exist there.</summary>
    public Task<InstanceClaim?> ClaimAtAsync(string tenant, string name, string revision, CancellationToken cancellationToken) =>
        ReadClaimAsync(tenant, name, revision, cancellationToken);

    /// <summary>
    /// Commits every change whose instance still has its expected claim as one commit (one change in the state store),
    /// then indexes each instance. Holds the gates of all the tenants involved, taken in name order, so single changes
    /// wait and two batches cannot deadlock. The tenants' claims are read afresh at one head, which is the change's
    /// base: another writer's change to any of these tenants' files meanwhile is a conflict, and the batch is made again.
    /// </summary>
    public async Task<(string? Revision, IReadOnlyList<BatchOutcome> Outcomes)> CommitBatchAsync(
        Principal principal, IReadOnlyList<BatchChange> changes, string message, CancellationToken cancellationToken)
    {
        var byTenant = changes.GroupBy(c => c.Expected.Tenant, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var gates = byTenant.Select(g => _tenantGates.GetOrAdd(g.Key, _ => new SemaphoreSlim(1, 1))).ToList();
        var taken = 0;
        try
        {
            foreach (var gate in gates)
            {
                await gate.WaitAsync(cancellationToken);
                taken++;
            }

            // The replicas' locks in the same name order, on one connection; then what other replicas pushed is fetched,
            // so the expected claims are compared with the remote's (a kept snapshot whose folder moved is read again).
            await using var shared = await tenantLocks.AcquireAsync(byTenant.Select(g => g.Key).ToList(), cancellationToken);
            if (tenantLocks.Shared)
            {
                await state.RefreshAsync(cancellationToken);
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await CommitBatchOnceAsync(principal, byTenant, message, cancellationToken);
                }
                catch (ChangeConflictException) when (attempt < MaxRenderAttempts)
                {
                    Log.Rerender(logger, byTenant[0].Key, "(batch)", attempt);
                    foreach (var group in byTenant)
                    {
                        _snapshots.Remove(group.Key);
                    }
                }
                catch
                {
                    foreach (var group in byTenant)
                    {
                        _snapshots.Remove(group.Key);
                    }

                    throw;
                }
            }
        }
        finally
        {
            foreach (var gate in gates.Take(taken))
            {
                gate.Release();
            }
        }
    }

    private async Task<(string? Revision, IReadOnlyList<BatchOutcome> Outcomes)> CommitBatchOnceAsync(
        Principal principal, List<IGrouping<string, BatchChange>> byTenant, string message, CancellationToken cancellationToken)
    {
        var head = await state.GetHeadAsync(cancellationToken);
        var puts = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        var deletes = new HashSet<string>(StringComparer.Ordinal);
        var outcomes = new List<BatchOutcome>();
        var planned = new List<(InstanceClaim Claim, bool Changed)>();
        var snapshots = new Dictionary<string, TenantSnapshot>(StringComparer.Ordinal);
        foreach (var group in byTenant)
        {
            var tenant = group.Key;
            // The instances kept since Gantry's last change to the tenant hold at the head when nobody changed its
            // folder since (one tree comparison); otherwise they are read again. Reading every claim of a large wave's
            // tenants was most of the time a wave took; now only the claims the wave changes are read.
            var kept = await SnapshotAsync(tenant, fresh: false, cancellationToken);
            var current = kept.Revision == head
                || (kept.Revision is not null && head is not null && (await state.DiffAsync(kept.Revision, head, StateLayout.TenantFolder(tenant), cancellationToken)).Count == 0);
            var instances = current ? kept.Instances : Keep((await ReadClaimsAsync(tenant, head, cancellationToken)).Values);
            var shared = current && kept.Shared is { } keptShared ? keptShared : TenantRenderer.RenderShared(tenant, Outlines(tenant, instances.Values));
            var changedHere = new Dictionary<string, InstanceClaim>(StringComparer.Ordinal);
            foreach (var change in group)
            {
                var name = change.Expected.Name;
                var before = changedHere.GetValueOrDefault(name)
                    ?? (instances.ContainsKey(name) ? await ReadClaimAsync(tenant, name, head, cancellationToken) : null);
                if (before is null || !before.IsSameAs(change.Expected))
                {
                    outcomes.Add(new BatchOutcome(tenant, name, null, "the instance changed (or went away) after the rollout read it"));
                    continue;
                }

                var next = change.Next with { Generation = change.Next.IsSameAs(before) ? before.Generation : before.Generation + 1 };
                var after = instances.SetItem(name, Keep(next));
                var rendered = TenantRenderer.RenderChange(tenant, shared, Instance(tenant, before), Instance(tenant, next), Outlines(tenant, after.Values));
                foreach (var (path, content) in rendered.Puts)
                {
                    puts[path] = content;
                    deletes.Remove(path);
                }

                foreach (var path in rendered.Deletes)
                {
                    puts.Remove(path);
                    deletes.Add(path);
                }

                (shared, instances, changedHere[name]) = (rendered.Shared, after, next);
                planned.Add((next, rendered.Puts.Count + rendered.Deletes.Count > 0));
            }

            snapshots[tenant] = new TenantSnapshot(head, instances, Rendered: true) { Shared = shared };
        }

        string? revision = null;
        var author = AuthorOf(principal);
        if (puts.Count + deletes.Count > 0)
        {
            // Only the instances whose files the commit changes can have a row left behind by it.
            revision = await RecordIntentsAndCommitAsync([.. planned.Where(p => p.Changed).Select(p => (p.Claim.Tenant, p.Claim.Name))], new Change
            {
                Puts = puts,
                Deletes = [.. deletes.Order(StringComparer.Ordinal)],
                Author = author,
                Message = message,
                ChangeId = Guid.CreateVersion7(time.GetUtcNow()).ToString(),
                Tenant = byTenant.Count == 1 ? byTenant[0].Key : null,
                BaseRevision = head,
            }, cancellationToken);
        }

        foreach (var (tenant, snapshot) in snapshots)
        {
            _snapshots.Set(tenant, revision is null ? snapshot : snapshot with { Revision = revision });
        }

        // The index rows and timeline entries are written side by side: SQLite commits those that queue together in one
        // transaction (group commit), PostgreSQL runs a few at once; one after another, a large wave took seconds here.
        var indexed = new BatchOutcome[planned.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, planned.Count), new ParallelOptions { MaxDegreeOfParallelism = IndexParallelism, CancellationToken = cancellationToken },
            async (i, cancel) =>
            {
                var (claim, changed) = planned[i];
                var existing = await index.FindAsync(claim.Tenant, claim.Name, cancel);
                var state = await IndexAsync(claim, existing, changed && revision is not null ? revision : existing?.Revision ?? head!,
                    author.Name, message, unchanged: !changed || revision is null, cancel);
                indexed[i] = new BatchOutcome(claim.Tenant, claim.Name, state, null);
            });
        outcomes.AddRange(indexed);
        return (revision, outcomes);
    }
}
