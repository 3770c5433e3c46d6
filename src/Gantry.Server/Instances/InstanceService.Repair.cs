namespace Gantry.Server.Instances;

/// <summary>What repairing one instance's index row from Git did.</summary>
public enum IndexRepairOutcome
{
    /// <summary>The row already agreed with Git; only the intent was cleared.</summary>
    Agreed,

    /// <summary>The row was written from the claim at the head (or made, when there was none).</summary>
    Rewritten,

    /// <summary>The claim is gone from Git: so is the row now.</summary>
    Deleted,
}

/// <summary>One repaired intent: the instance, what was done, and the generation and revision the row now has (none when deleted).</summary>
public sealed record IndexRepair(string Tenant, string Name, IndexRepairOutcome Outcome, long? Generation, string? Revision);

// Repairing index rows a writer left behind: it recorded its write intent, committed to Git, and died before the row.
public sealed partial class InstanceService
{
    /// <summary>How many intents one pass takes at most; the rest wait for the next pass.</summary>
    public const int RepairBatchSize = 500;

    /// <summary>
    /// Repairs the index row of every instance whose write intent is at least <paramref name="minimumAge"/> old. The age
    /// only spares live writers a wait: an intent is looked at under its tenant's lock, which a live writer holds from
    /// recording its intent to clearing it, so any intent seen there is an orphan. A tenant that fails (the remote away)
    /// is logged and left for the next pass.
    /// </summary>
    public async Task<IReadOnlyList<IndexRepair>> RepairIndexAsync(TimeSpan minimumAge, CancellationToken cancellationToken)
    {
        var found = await intents.ListOlderThanAsync(time.GetUtcNow() - minimumAge, RepairBatchSize, cancellationToken);
        var repairs = new List<IndexRepair>();
        foreach (var tenant in found.GroupBy(i => i.Tenant, StringComparer.Ordinal))
        {
            try
            {
                repairs.AddRange(await RepairTenantAsync(tenant.Key, [.. tenant.Select(i => i.Name)], cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.RepairFailed(logger, tenant.Key, e);
            }
        }

        return repairs;
    }

    /// <summary>
    /// Under the tenant's gate and lock: fetches what other replicas pushed (the dead writer's commit may be only on the
    /// remote), then makes each named row agree with the claim at the head, as <see cref="ReindexAsync"/> would.
    /// </summary>
    private Task<List<IndexRepair>> RepairTenantAsync(string tenant, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        WithTenantGateAsync(tenant, async () =>
        {
            // The kept snapshot may predate the orphaned commit: the tenant's next change reads it afresh.
            _snapshots.Remove(tenant);
            // The remote itself: a writer that died between its push and relaying it left its commit only there.
            var head = await state.FetchAsync(cancellationToken);
            var repairs = new List<IndexRepair>();
            foreach (var name in names)
            {
                var repair = await RepairRowAsync(tenant, name, head, cancellationToken);
                Log.Repaired(logger, tenant, name, repair.Outcome, repair.Generation, repair.Revision);
                repairs.Add(repair);
            }

            return repairs;
        });

    private async Task<IndexRepair> RepairRowAsync(string tenant, string name, string? head, CancellationToken cancellationToken)
    {
        var claim = await ReadClaimAsync(tenant, name, head, cancellationToken);
        var existing = await index.FindAsync(tenant, name, cancellationToken);
        if (claim is null)
        {
            if (existing is null)
            {
                await intents.ClearAsync(tenant, name, cancellationToken);
                return new IndexRepair(tenant, name, IndexRepairOutcome.Agreed, null, null);
            }

            await index.DeleteAsync(tenant, name, cancellationToken); // the intent goes in the same transaction
            if (head is not null)
            {
                signals.Committed(tenant, head);
            }

            return new IndexRepair(tenant, name, IndexRepairOutcome.Deleted, null, null);
        }

        // The revision is the last commit that changed the claim, its author who changed it: as a reindex has them.
        var last = (await HistoryAsync(tenant, name, 1, null, cancellationToken)).Commits[0];
        if (existing is not null && existing.Revision == last.Revision && existing.Generation == claim.Generation)
        {
            await intents.ClearAsync(tenant, name, cancellationToken);
            return new IndexRepair(tenant, name, IndexRepairOutcome.Agreed, claim.Generation, last.Revision);
        }

        var now = time.GetUtcNow();
        var sameRevision = existing?.Revision == last.Revision;
        var record = CommittedRecord(tenant, name, claim, last.Revision, last.Author.Name, existing?.CreatedAt ?? last.When, now)
            .WithStatusOf(sameRevision ? existing : null); // what an engine reported on this very revision still holds
        if (sameRevision)
        {
            // Not a commit the row missed: no Committed entry for the timeline. A separate statement clears the intent.
            await index.UpsertAsync(record, cancellationToken);
            await intents.ClearAsync(tenant, name, cancellationToken);
        }
        else
        {
            // The timeline gains the Committed entry the dead writer never wrote; the intent is cleared with the row.
            await index.UpsertAsync(record, CommittedEvent(tenant, name, claim.Generation, last.Revision, last.Message.Split('\n', 2)[0], now), cancellationToken);
            signals.Committed(tenant, last.Revision);
        }

        return new IndexRepair(tenant, name, IndexRepairOutcome.Rewritten, claim.Generation, last.Revision);
    }
}
