using System.Collections.Immutable;
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
    /// What a tenant's folder holds: its claims at a revision, and whether the folder was ever rendered. Kept per
    /// tenant after each change Gantry makes, so the next change does not read every claim again; the revision is
    /// the change's base, so a change by anyone else to the tenant's files since then is caught by the store as a
    /// conflict, and the snapshot is read afresh from Git.
    /// </summary>
    /// <remarks>
    /// The claims are immutable: each change makes the next snapshot by replacing one entry and sharing the rest (a copy
    /// of the whole dictionary per change was a noticeable part of what a change allocated).
    /// </remarks>
    private sealed record TenantSnapshot(string? Revision, ImmutableDictionary<string, InstanceClaim> Claims, bool Rendered)
    {
        /// <summary>The tenant's shared files as rendered from <see cref="Claims"/>, once a change needed them (under the tenant's gate).</summary>
        public SharedFiles? Shared { get; set; }
    }

    private async Task<TenantSnapshot> SnapshotAsync(string tenant, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _snapshots.TryGetValue(tenant, out var cached))
        {
            return cached;
        }

        var head = await state.GetHeadAsync(cancellationToken);
        var claims = await ReadClaimsAsync(tenant, head, cancellationToken);
        return new TenantSnapshot(head, claims.ToImmutableDictionary(StringComparer.Ordinal), await IsRenderedAsync(tenant, head, cancellationToken));
    }

    /// <summary>
    /// The tenant's snapshot, made to agree with the index row of <paramref name="name"/> read under the tenant's lock:
    /// when another replica changed the instance since this one last read the tenant, the kept claims are stale (a
    /// patch or a scale would apply to old values), so the remote is fetched and the tenant read again. Changes by
    /// other replicas to the tenant's other instances are caught later, by the store's conflict check.
    /// </summary>
    private async Task<TenantSnapshot> CurrentSnapshotAsync(string tenant, string name, InstanceRecord? existing, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(tenant, fresh: false, cancellationToken);
        if (AgreesWith(snapshot.Claims.GetValueOrDefault(name), existing))
        {
            return snapshot;
        }

        _snapshots.Remove(tenant);
        await state.RefreshAsync(cancellationToken);
        return await SnapshotAsync(tenant, fresh: true, cancellationToken);
    }

    /// <summary>Whether a kept claim is the one the index row describes (both absent, or the same generation).</summary>
    private static bool AgreesWith(InstanceClaim? claim, InstanceRecord? record) =>
        claim is null ? record is null : record is not null && claim.Generation == record.Generation;

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
        return await state.HasRevisionAsync(revision, cancellationToken) ? revision : null;
    }

    private async Task<InstanceState?> CommitAsync(
        Principal principal, string tenant, string name, InstanceClaim? claim, string message, InstanceRecord? existing,
        TenantSnapshot snapshot, CancellationToken cancellationToken)
    {
        var author = AuthorOf(principal);
        var basedOn = snapshot.Claims.GetValueOrDefault(name);

        // Every change to the claim counts one generation up (a rollback too: it is a new change); an unchanged claim
        // keeps its generation, so re-applying the same request still changes nothing.
        if (claim is not null)
        {
            claim = claim with { Generation = basedOn is not null && claim.IsSameAs(basedOn) ? basedOn.Generation : (basedOn?.Generation ?? 0) + 1 };
        }

        for (var attempt = 1; ; attempt++)
        {
            var next = claim is null ? snapshot.Claims.Remove(name) : snapshot.Claims.SetItem(name, claim);

            // A tenant whose folder was never written has nothing rendered yet: everything is new, its skeleton
            // (namespace, lockdown, project) included, and the Flux index gains an entry for it. Otherwise only this
            // instance's files and, when what they read of it moved, the tenant's shared files can differ.
            var rendered = snapshot.Rendered
                ? TenantRenderer.RenderChange(tenant, snapshot.Shared ??= TenantRenderer.RenderShared(tenant, Instances(tenant, snapshot.Claims.Values)),
                    basedOn is null ? null : Instance(tenant, basedOn), claim is null ? null : Instance(tenant, claim), Instances(tenant, next.Values))
                : TenantRenderer.RenderFirst(tenant, Instances(tenant, next.Values));
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
                    : await state.CommitAsync(change, cancellationToken);
            }
            catch (ChangeConflictException) when (attempt < MaxRenderAttempts)
            {
                // Another writer changed this tenant's files after the snapshot: read them again and render on the
                // new head, unless this very instance changed, which the caller must see.
                _snapshots.Remove(tenant);
                Log.Rerender(logger, tenant, name, attempt);
                snapshot = await SnapshotAsync(tenant, fresh: true, cancellationToken);
                if (!SameClaim(basedOn, snapshot.Claims.GetValueOrDefault(name)))
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

            return await IndexAsync(claim, existing, revision, message, unchanged, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the index row of a committed claim and, when something was committed, its Committed entry of the
    /// timeline, then tells the engines; an unchanged claim keeps the status the engine last reported.
    /// </summary>
    private async Task<InstanceState> IndexAsync(
        InstanceClaim claim, InstanceRecord? existing, string revision, string message, bool unchanged, CancellationToken cancellationToken)
    {
        var (tenant, name) = (claim.Tenant, claim.Name);
        var now = time.GetUtcNow();
        var record = new InstanceRecord
        {
            Tenant = tenant,
            Name = name,
            Offering = claim.Offering,
            Version = claim.Version,
            ChartVersion = claim.ChartVersion,
            Namespace = claim.Namespace,
            Revision = revision,
            Generation = claim.Generation,
            Status = CommittedStatus,
            CreatedAt = existing?.CreatedAt ?? now,
            UpdatedAt = now,
        }.WithStatusOf(unchanged ? existing : null); // nothing new was committed: what the engine said still holds
        if (unchanged)
        {
            await index.UpsertAsync(record, cancellationToken);
            return new InstanceState(claim, record);
        }

        // The row and the Committed entry of the timeline go together; the engines are told after both, so an
        // engine that reports at once finds the generation it reports on.
        await index.UpsertAsync(record, new Data.Status.StatusEventRecord
        {
            Tenant = tenant,
            TargetKind = Data.Status.StatusTargetKinds.Instance,
            Target = name,
            Source = Data.Status.StatusSources.Gantry,
            Phase = CommittedStatus,
            Reason = message.StartsWith("Roll back", StringComparison.Ordinal) ? "Rollback" : message.Split(' ', 2)[0],
            Message = message,
            Generation = claim.Generation,
            Revision = revision,
            Applied = true,
            OccurredAt = now,
            ReceivedAt = now,
        }, cancellationToken);
        signals.Committed(tenant, revision);
        return new InstanceState(claim, record);
    }

    private IEnumerable<RenderedInstance> Instances(string tenant, IEnumerable<InstanceClaim> claims) => claims.Select(c => Instance(tenant, c));

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
