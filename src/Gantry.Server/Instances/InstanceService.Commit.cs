using System.Collections.Immutable;
using Gantry.Core.Catalog;
using Gantry.Core.Identity;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;
using Gantry.Core.State;
using Gantry.Data.Instances;

namespace Gantry.Server.Instances;

// The commit step: a change rendered against the tenant's snapshot, committed, indexed and announced.
public sealed partial class InstanceService
{
    /// <summary>
    /// What a tenant's folder holds: each instance's outline and generation at a revision, and whether the folder was
    /// ever rendered. Kept per tenant after each change Gantry makes, so the next change does not read every claim
    /// again; the revision is the change's base, so a change by anyone else to the tenant's files since then is caught
    /// by the store as a conflict, and the snapshot is read afresh from Git.
    /// </summary>
    /// <remarks>
    /// A change needs the whole claim of the one instance it changes, read from Git at the snapshot's revision, and of
    /// the others only what the tenant's shared files read (<see cref="InstanceOutline"/>) and how many there are. So
    /// that is all a snapshot keeps: whole claims (values, sealed values) were most of what a replica held in memory,
    /// about 2.5 KB per instance. The entries are immutable: each change makes the next snapshot by replacing one
    /// entry and sharing the rest.
    /// </remarks>
    private sealed record TenantSnapshot(string? Revision, ImmutableDictionary<string, KeptInstance> Instances, bool Rendered)
    {
        /// <summary>The tenant's shared files as rendered from <see cref="Instances"/>, once a change needed them (under the tenant's gate).</summary>
        public SharedFiles? Shared { get; set; }
    }

    /// <summary>
    /// One instance as a snapshot keeps it: its outline with the offering by name (a reloaded catalog is seen at the
    /// next render), its generation, and its replica count as JSON for lists (<see cref="ListedReplicasAsync"/>). The
    /// offering and secret names are the catalog's own strings where it has them.
    /// </summary>
    private sealed record KeptInstance(string Name, string Namespace, string Offering, IReadOnlyList<string> SealedNames, long Generation, string? Replicas);

    private KeptInstance Keep(InstanceClaim claim)
    {
        var offering = catalog.Find(claim.Offering);
        var sealedNames = claim.SealedSecrets.Keys
            .Select(k => offering?.Secrets.FirstOrDefault(s => s.Name == k)?.Name ?? k)
            .ToArray();
        return new KeptInstance(claim.Name, claim.Namespace, offering?.Name ?? claim.Offering, sealedNames, claim.Generation, ReplicasOf(claim));
    }

    /// <summary>The claim's replica count as JSON, null when its values do not set it (short values shared, as "1" and "3" are).</summary>
    private string? ReplicasOf(InstanceClaim claim) =>
        catalog.Find(claim.Offering)?.ReplicasPath is { } path && ValuesPath.Get(claim.Values, path)?.ToJsonString() is { } json
            ? json.Length <= 4 ? string.Intern(json) : json
            : null;

    private ImmutableDictionary<string, KeptInstance> Keep(IEnumerable<InstanceClaim> claims) =>
        claims.ToImmutableDictionary(c => c.Name, Keep, StringComparer.Ordinal);

    private async Task<TenantSnapshot> SnapshotAsync(string tenant, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _snapshots.TryGetValue(tenant, out var cached))
        {
            return cached;
        }

        var head = await state.GetHeadAsync(cancellationToken);
        var claims = await ReadClaimsAsync(tenant, head, cancellationToken);
        return new TenantSnapshot(head, Keep(claims.Values), await IsRenderedAsync(tenant, head, cancellationToken));
    }

    /// <summary>The whole claim of <paramref name="name"/> as <paramref name="snapshot"/> has it; null when it has none.</summary>
    private async Task<InstanceClaim?> ClaimInAsync(TenantSnapshot snapshot, string tenant, string name, CancellationToken cancellationToken)
    {
        if (!snapshot.Instances.ContainsKey(name))
        {
            return null;
        }

        return await ReadClaimAsync(tenant, name, snapshot.Revision, cancellationToken)
            ?? throw new InvalidOperationException($"Instance {tenant}/{name} is in the snapshot of revision {snapshot.Revision} but its claim is not there.");
    }

    /// <summary>
    /// The tenant's snapshot, made to agree with the index row of <paramref name="name"/> read under the tenant's lock,
    /// and the instance's whole claim in it: when another replica changed the instance since this one last read the
    /// tenant, the kept snapshot is stale (a patch or a scale would apply to old values), so the remote is fetched and
    /// the tenant read again. Changes by other replicas to the tenant's other instances are caught later, by the
    /// store's conflict check.
    /// </summary>
    private async Task<(TenantSnapshot Snapshot, InstanceClaim? Current)> CurrentSnapshotAsync(
        string tenant, string name, InstanceRecord? existing, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(tenant, fresh: false, cancellationToken);
        if (!AgreesWith(snapshot.Instances.GetValueOrDefault(name), existing))
        {
            _snapshots.Remove(tenant);
            await state.RefreshAsync(cancellationToken);
            snapshot = await SnapshotAsync(tenant, fresh: true, cancellationToken);
        }

        return (snapshot, await ClaimInAsync(snapshot, tenant, name, cancellationToken));
    }

    /// <summary>Whether a kept instance is the one the index row describes (both absent, or the same generation).</summary>
    private static bool AgreesWith(KeptInstance? kept, InstanceRecord? record) =>
        kept is null ? record is null : record is not null && kept.Generation == record.Generation;

    /// <summary>
    /// <paramref name="revision"/> when this replica holds it, after fetching the remote when it does not yet (another
    /// replica made it); the head when even the remote does not have it.
    /// </summary>
    private async Task<string?> ReadableRevisionAsync(string revision, CancellationToken cancellationToken)
    {
        if (await state.HasRevisionAsync(revision, cancellationToken))
        {
            return revision;
        }

        await state.RefreshAsync(cancellationToken);
        if (await state.HasRevisionAsync(revision, cancellationToken))
        {
            return revision;
        }

        // The other replicas' relayed pushes lack it only when recording a push failed: ask the remote itself.
        await state.FetchAsync(cancellationToken);
        return await state.HasRevisionAsync(revision, cancellationToken) ? revision : null;
    }

    /// <summary>
    /// Commits <paramref name="claim"/> (null: the instance goes away) in place of the instance's claim in the
    /// snapshot of <paramref name="basis"/> (its <c>Current</c>).
    /// </summary>
    private async Task<InstanceState?> CommitAsync(
        Principal principal, string tenant, string name, InstanceClaim? claim, string message, InstanceRecord? existing,
        (TenantSnapshot Snapshot, InstanceClaim? Current) basis, CancellationToken cancellationToken)
    {
        var author = AuthorOf(principal);
        var (snapshot, basedOn) = basis;

        // Every change to the claim counts one generation up (a rollback too: it is a new change); an unchanged claim
        // keeps its generation, so re-applying the same request still changes nothing.
        if (claim is not null)
        {
            claim = claim with { Generation = basedOn is not null && claim.IsSameAs(basedOn) ? basedOn.Generation : (basedOn?.Generation ?? 0) + 1 };
        }

        for (var attempt = 1; ; attempt++)
        {
            var next = claim is null ? snapshot.Instances.Remove(name) : snapshot.Instances.SetItem(name, Keep(claim));

            // A tenant whose folder was never written has nothing rendered yet: everything is new, its skeleton
            // (namespace, lockdown, project) included, and the Flux index gains an entry for it. Otherwise only this
            // instance's files and, when what they read of it moved, the tenant's shared files can differ.
            var rendered = snapshot.Rendered
                ? TenantRenderer.RenderChange(tenant, snapshot.Shared ??= TenantRenderer.RenderShared(tenant, Outlines(tenant, snapshot.Instances.Values)),
                    basedOn is null ? null : Instance(tenant, basedOn), claim is null ? null : Instance(tenant, claim), Outlines(tenant, next.Values))
                : TenantRenderer.RenderFirst(tenant, await ClaimsAfterAsync(snapshot, tenant, name, claim, cancellationToken));
            var (puts, deletes) = (rendered.Puts.ToDictionary(f => f.Key, f => (ReadOnlyMemory<byte>)f.Value, StringComparer.Ordinal), rendered.Deletes.ToList());
            var change = new Change
            {
                Puts = puts,
                Deletes = deletes,
                Author = author,
                Message = message,
                ChangeId = Guid.CreateVersion7(time.GetUtcNow()).ToString(),
                Tenant = tenant,
                Claim = $"instance/{name}",
                BaseRevision = snapshot.Revision,
            };

            string revision;
            var unchanged = change.Puts.Count + change.Deletes.Count == 0;
            try
            {
                revision = unchanged
                    ? existing?.Revision ?? snapshot.Revision!
                    : await RecordIntentsAndCommitAsync([(tenant, name)], change, cancellationToken);
            }
            catch (ChangeConflictException) when (attempt < MaxRenderAttempts)
            {
                // Another writer changed this tenant's files after the snapshot: read them again and render on the
                // new head, unless this very instance changed, which the caller must see.
                _snapshots.Remove(tenant);
                Log.Rerender(logger, tenant, name, attempt);
                snapshot = await SnapshotAsync(tenant, fresh: true, cancellationToken);
                if (!SameClaim(basedOn, await ClaimInAsync(snapshot, tenant, name, cancellationToken)))
                {
                    throw;
                }

                continue;
            }
            catch
            {
                _snapshots.Remove(tenant);
                throw;
            }

            // A change that altered nothing answers with the instance's own revision, which may be older than the
            // tenant's last change: the snapshot keeps the revision its claims were read at, or the tenant's next
            // change would be based on that older revision and refused as a conflict, then read and rendered again.
            _snapshots.Set(tenant, new TenantSnapshot(unchanged ? snapshot.Revision : revision, next, Rendered: true) { Shared = rendered.Shared });
            if (!snapshot.Rendered)
            {
                await EnsureInFluxIndexAsync(tenant, author, cancellationToken);
            }

            if (claim is null)
            {
                await index.DeleteAsync(tenant, name, cancellationToken);
                signals.Committed(tenant, revision);
                return null;
            }

            return await IndexAsync(claim, existing, revision, author.Name, message, unchanged, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the index row of a committed claim and, when something was committed, its Committed entry of the
    /// timeline, then tells the engines; an unchanged claim keeps the status the engine last reported, and who made
    /// the change its revision still is. <paramref name="changedBy"/> is the commit's author name.
    /// </summary>
    private async Task<InstanceState> IndexAsync(
        InstanceClaim claim, InstanceRecord? existing, string revision, string changedBy, string message, bool unchanged, CancellationToken cancellationToken)
    {
        var (tenant, name) = (claim.Tenant, claim.Name);
        var now = time.GetUtcNow();
        var record = CommittedRecord(tenant, name, claim, revision, unchanged && existing is not null ? existing.ChangedBy : changedBy, existing?.CreatedAt ?? now, now)
            .WithStatusOf(unchanged ? existing : null); // nothing new was committed: what the engine said still holds
        if (unchanged)
        {
            await index.UpsertAsync(record, cancellationToken);
            return new InstanceState(claim, record);
        }

        // The row and the Committed entry of the timeline go together, and clear the write intent with them; the
        // engines are told after both, so an engine that reports at once finds the generation it reports on.
        await index.UpsertAsync(record, CommittedEvent(tenant, name, claim.Generation, revision, message, now), cancellationToken);
        signals.Committed(tenant, revision);
        return new InstanceState(claim, record);
    }

    /// <summary>
    /// Records a write intent for each instance the change is about, then commits it. Called under the tenants' locks,
    /// which are held until the index rows are written (and the intents cleared with them): an intent that outlives
    /// its lock means the writer died after the commit may have reached Git. When the commit throws, the intent stays:
    /// the push may have landed even if its answer was lost, and the repair finds out which.
    /// </summary>
    private async Task<string> RecordIntentsAndCommitAsync(IReadOnlyCollection<(string Tenant, string Name)> instances, Change change, CancellationToken cancellationToken)
    {
        await intents.RecordAsync(instances, time.GetUtcNow(), cancellationToken);
        return await state.CommitAsync(change, cancellationToken);
    }

    /// <summary>
    /// The index row of instance <paramref name="tenant"/>/<paramref name="name"/> whose claim is <paramref name="claim"/> as
    /// committed at <paramref name="revision"/>, with status Committed: what the write path, the reindex and the repair write.
    /// </summary>
    private static InstanceRecord CommittedRecord(
        string tenant, string name, InstanceClaim claim, string revision, string? changedBy, DateTimeOffset createdAt, DateTimeOffset updatedAt) => new()
    {
        Tenant = tenant,
        Name = name,
        Offering = claim.Offering,
        Version = claim.Version,
        ChartVersion = claim.ChartVersion,
        Namespace = claim.Namespace,
        Revision = revision,
        ChangedBy = changedBy,
        Generation = claim.Generation,
        Status = CommittedStatus,
        CreatedAt = createdAt,
        UpdatedAt = updatedAt,
    };

    /// <summary>The timeline's Committed entry for a change to the instance's claim.</summary>
    private static Data.Status.StatusEventRecord CommittedEvent(string tenant, string name, long generation, string revision, string message, DateTimeOffset now) => new()
    {
        Tenant = tenant,
        TargetKind = Data.Status.StatusTargetKinds.Instance,
        Target = name,
        Source = Data.Status.StatusSources.Gantry,
        Phase = CommittedStatus,
        Reason = message.StartsWith("Roll back", StringComparison.Ordinal) ? "Rollback" : message.Split(' ', 2)[0],
        Message = message,
        Generation = generation,
        Revision = revision,
        Applied = true,
        OccurredAt = now,
        ReceivedAt = now,
    };

    /// <summary>Every whole claim of the tenant once <paramref name="claim"/> replaces <paramref name="name"/>'s (null: without it).</summary>
    private async Task<IEnumerable<RenderedInstance>> ClaimsAfterAsync(
        TenantSnapshot snapshot, string tenant, string name, InstanceClaim? claim, CancellationToken cancellationToken)
    {
        var claims = await ReadClaimsAsync(tenant, snapshot.Revision, cancellationToken);
        claims.Remove(name);
        return claims.Values.Append(claim).OfType<InstanceClaim>().Select(c => Instance(tenant, c)).ToList();
    }

    private IEnumerable<InstanceOutline> Outlines(string tenant, IEnumerable<KeptInstance> kept) => kept.Select(k => InstanceOutline.Of(
        tenant, k.Name, k.Namespace, catalog.Find(k.Offering) ?? throw new OfferingMissingException(tenant, k.Name, k.Offering), k.SealedNames));

    private RenderedInstance Instance(string tenant, InstanceClaim claim) =>
        new(claim, catalog.Find(claim.Offering) ?? throw new OfferingMissingException(tenant, claim.Name, claim.Offering));

    private static bool SameClaim(InstanceClaim? a, InstanceClaim? b) => a is null ? b is null : a.IsSameAs(b);

    private static ChangeAuthor AuthorOf(Principal principal)
    {
        // The address was read with the principal when the request was authenticated (UserPrincipalLoader).
        var email = principal.Kind is PrincipalKind.User or PrincipalKind.External ? principal.Email : null;

        // An API key or a user without an address still gets an honest, recognisable author.
        return new ChangeAuthor(principal.Name, email ?? $"{principal.Id}@{principal.Kind.ToString().ToLowerInvariant()}.gantry.invalid");
    }
}
