using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Caching;
using Gantry.Core.Catalog;
using Gantry.Core.Identity;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;
using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Core.Yaml;
using Gantry.Data.Instances;
using Gantry.Data.Tenants;
using Gantry.Server.Catalog;

namespace Gantry.Server.Instances;

/// <summary>An instance as Gantry knows it: the accepted claim and its index row (revision, status).</summary>
public sealed record InstanceState(InstanceClaim Claim, InstanceRecord Record)
{
    /// <summary>Secrets Gantry generated in this very change, in clear: for the one response that shows them, never kept.</summary>
    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>
/// The one path every instance change takes: validate against the offering and the tenant's quotas, resolve the chart
/// version, render the tenant's whole tree (pure), commit the difference through the state store, then index it.
/// Changes to one tenant are serialized in this process; other writers (replicas, people) are caught by the store's
/// conflict check and the change is re-rendered on the new head.
/// </summary>
public sealed partial class InstanceService(
    IStateStore state,
    OfferingCatalog catalog,
    InstanceRepository index,
    TenantRepository tenants,
    ITagSource tagSource,
    InstanceSecretSealer secrets,
    Status.DeploymentSignals signals,
    TimeProvider time,
    ILogger<InstanceService> logger) : IDisposable
{
    public const string CommittedStatus = Core.Status.DeploymentPhase.Committed;
    private const int MaxRenderAttempts = 4;
    private const int MaxCachedTenants = 10_000;
    private const int MaxKeptConstraints = 1_024;

    private static readonly BoundedCache<string, VersionConstraint> ParsedConstraints = new(MaxKeptConstraints, StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<IReadOnlyList<string>, BoundedCache<(VersionConstraint, VersionConstraint), string>> ResolvedVersions = [];

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _tenantGates = new(StringComparer.Ordinal);
    // Bounded: past the limit the cache starts over; a miss only costs reading the tenant's claims from Git.
    private readonly BoundedCache<string, TenantSnapshot> _snapshots = new(MaxCachedTenants, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pendingIndex = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexGate = new(1, 1);

    public async Task<InstanceState?> GetAsync(string tenant, string name, CancellationToken cancellationToken)
    {
        if (await index.FindAsync(tenant, name, cancellationToken) is not { } record)
        {
            return null;
        }

        var claim = await ReadClaimAsync(tenant, name, revision: null, cancellationToken);
        return claim is null ? null : new InstanceState(claim, record);
    }

    /// <summary>Creates or replaces an instance. <paramref name="ifMatch"/> makes it conditional on the current revision.</summary>
    public Task<(InstanceState State, bool Created)> PutAsync(
        Principal principal, string tenant, string name, InstanceRequest request, string? ifMatch, CancellationToken cancellationToken) =>
        ChangeAsync(principal, tenant, name, ifMatch, _ => request, cancellationToken);

    /// <summary>Applies an RFC 7396 merge patch to the instance's values, as they are when the change is made.</summary>
    public async Task<InstanceState> PatchValuesAsync(Principal principal, string tenant, string name, JsonObject patch, string? ifMatch, CancellationToken cancellationToken) =>
        (await ChangeAsync(principal, tenant, name, ifMatch, current => new InstanceRequest
        {
            Offering = current.Offering,
            Version = current.Version,
            Values = ValuesPath.ApplyMergePatch(current.Values, patch),
        }, cancellationToken, mustExist: true)).State;

    /// <summary>The PoC's operation: set the offering's replica count, checked against its schema and the tenant's quota.</summary>
    public async Task<InstanceState> ScaleAsync(Principal principal, string tenant, string name, int replicas, string? ifMatch, CancellationToken cancellationToken) =>
        (await ChangeAsync(principal, tenant, name, ifMatch, current =>
        {
            if (catalog.Find(current.Offering)?.ReplicasPath is not { } path)
            {
                throw ValidationFailedException.For("replicas", $"offering '{current.Offering}' cannot be scaled");
            }

            var values = current.Values.DeepClone().AsObject();
            ValuesPath.Set(values, path, replicas);
            return new InstanceRequest { Offering = current.Offering, Version = current.Version, Values = values };
        }, cancellationToken, mustExist: true)).State;

    /// <summary>
    /// Makes new values for the instance's generated secrets (all of them, or those named), seals and commits them;
    /// the new values are in the returned state's credentials, once.
    /// </summary>
    public async Task<InstanceState> RotateCredentialsAsync(
        Principal principal, string tenant, string name, IReadOnlyList<string>? names, string? ifMatch, CancellationToken cancellationToken)
    {
        // Filled by the build step, under the tenant's gate, from the offering the current claim uses; read when sealing.
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        return (await ChangeAsync(principal, tenant, name, ifMatch, current =>
        {
            var generated = catalog.Find(current.Offering)?.Secrets.Where(s => s.Generate).Select(s => s.Name).ToList() ?? [];
            var errors = new ValidationErrors();
            if (generated.Count == 0)
            {
                errors.Add("secrets", $"offering '{current.Offering}' has no secret that Gantry generates");
            }

            foreach (var (requested, index) in (names ?? []).Select((n, i) => (n, i)).Where(p => !generated.Contains(p.n)))
            {
                errors.Add($"secrets[{index}]", $"'{requested}' is not a secret that Gantry generates for offering '{current.Offering}'");
            }

            errors.ThrowIfAny();
            chosen.UnionWith(names is { Count: > 0 } ? names : generated);
            return new InstanceRequest { Offering = current.Offering, Version = current.Version, Values = current.Values.DeepClone().AsObject() };
        }, cancellationToken, mustExist: true, regenerate: chosen)).State;
    }

    /// <summary>
    /// Read, check, change and commit under the tenant's gate, so a scale or a patch always applies to the latest
    /// values and an <c>If-Match</c> is checked against the revision the change really replaces.
    /// </summary>
    private async Task<(InstanceState State, bool Created)> ChangeAsync(
        Principal principal, string tenant, string name, string? ifMatch, Func<InstanceClaim, InstanceRequest> build,
        CancellationToken cancellationToken, bool mustExist = false, IReadOnlySet<string>? regenerate = null)
    {
        var tenantRecord = await tenants.FindAsync(tenant, cancellationToken) ?? throw new InstanceNotFoundException(tenant, name);
        return await WithTenantGateAsync(tenant, async () =>
        {
            var existing = await index.FindAsync(tenant, name, cancellationToken);
            CheckPrecondition(ifMatch, existing);
            var snapshot = await SnapshotAsync(tenant, fresh: false, cancellationToken);
            var current = snapshot.Claims.GetValueOrDefault(name);
            if (mustExist && current is null)
            {
                throw new InstanceNotFoundException(tenant, name);
            }

            var request = build(current!);
            var offering = request.Offering is null ? null : catalog.Find(request.Offering);
            var otherInstances = snapshot.Claims.Count - (current is null ? 0 : 1);
            var kept = InstanceSecretSealer.Kept(current, tenant, name, offering);
            var errors = InstanceValidator.Validate(new InstanceValidationContext
            {
                Tenant = tenant,
                Name = name,
                Request = request,
                Offering = offering,
                Quota = tenantRecord.Quotas,
                OtherInstances = otherInstances,
                SecretsSet = kept.Keys.ToHashSet(StringComparer.Ordinal),
            });
            if (request.Version is not null && !VersionConstraint.TryParse(request.Version, out _, out var versionError))
            {
                errors.Add("version", versionError);
            }

            errors.ThrowIfAny();
            var claim = new InstanceClaim
            {
                Tenant = tenant,
                Name = name,
                Offering = offering!.Name,
                Version = request.Version ?? offering.Chart.Version,
                ChartVersion = await ResolveChartVersionAsync(offering, request.Version, cancellationToken),
                Namespace = offering.NamespaceFor(tenant, name),
                Values = request.Values?.DeepClone().AsObject() ?? [],
            };

            // Sealed before the commit, so the claim and its SealedSecret go to Git in the same change.
            var sealedSecrets = await secrets.SealAsync(claim, offering, kept, request.Secrets, regenerate, cancellationToken);
            claim = claim with { SealedSecrets = sealedSecrets.Sealed };
            var verb = regenerate is not null ? "Rotate credentials of" : existing is null ? "Create" : "Update";
            var state = await CommitAsync(principal, tenant, name, claim, $"{verb} instance {tenant}/{name} ({claim.Offering} {claim.ChartVersion})", existing, snapshot, cancellationToken);
            return (state! with { Credentials = sealedSecrets.Generated }, existing is null);
        });
    }

    public async Task DeleteAsync(Principal principal, string tenant, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        await WithTenantGateAsync(tenant, async () =>
        {
            var existing = await index.FindAsync(tenant, name, cancellationToken) ?? throw new InstanceNotFoundException(tenant, name);
            CheckPrecondition(ifMatch, existing);
            await CommitAsync(principal, tenant, name, claim: null, $"Delete instance {tenant}/{name}", existing,
                await SnapshotAsync(tenant, fresh: false, cancellationToken), cancellationToken);
            return true;
        });
    }

    /// <summary>Restores the instance as it was at <paramref name="revision"/>, as a new change on top of the current head.</summary>
    public async Task<InstanceState> RollbackAsync(Principal principal, string tenant, string name, string revision, CancellationToken cancellationToken)
    {
        var old = await ReadClaimAsync(tenant, name, revision, cancellationToken);
        if (old is null)
        {
            throw ValidationFailedException.For("revision", $"instance {tenant}/{name} does not exist at revision {revision}");
        }

        return await WithTenantGateAsync(tenant, async () =>
        {
            var existing = await index.FindAsync(tenant, name, cancellationToken);
            var message = $"Roll back instance {tenant}/{name} to {revision[..Math.Min(12, revision.Length)]}";
            return (await CommitAsync(principal, tenant, name, old, message, existing,
                await SnapshotAsync(tenant, fresh: false, cancellationToken), cancellationToken))!;
        });
    }

    /// <summary>
    /// Rebuilds the instance index from the claims in Git at the current head: every tenant Gantry knows, each
    /// instance's revision being the last commit that changed its claim. Replaces the index in one transaction.
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
                var history = await state.GetHistoryAsync(GitOpsLayout.InstanceClaim(tenant.Name, claim.Name), 1, null, cancellationToken);
                var last = history.Commits[0];
                var existing = await index.FindAsync(tenant.Name, claim.Name, cancellationToken);
                records.Add(new InstanceRecord
                {
                    Tenant = tenant.Name,
                    Name = claim.Name,
                    Offering = claim.Offering,
                    Version = claim.Version,
                    ChartVersion = claim.ChartVersion,
                    Namespace = claim.Namespace,
                    Revision = last.Revision,
                    Generation = claim.Generation,
                    Status = CommittedStatus,
                    CreatedAt = existing?.CreatedAt ?? last.When,
                    UpdatedAt = existing?.UpdatedAt ?? now,
                }.WithStatusOf(existing));
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
    }

    private IEnumerable<RenderedInstance> Instances(string tenant, IEnumerable<InstanceClaim> claims) => claims.Select(c => Instance(tenant, c));

    private RenderedInstance Instance(string tenant, InstanceClaim claim) =>
        new(claim, catalog.Find(claim.Offering) ?? throw new OfferingMissingException(tenant, claim.Name, claim.Offering));

    private static bool SameClaim(InstanceClaim? a, InstanceClaim? b) => a is null ? b is null : a.IsSameAs(b);

    /// <summary>
    /// Adds a tenant to the Flux cluster index, the one file all tenants share. Additions from concurrent first
    /// instances are gathered and written as one change by whichever caller holds the gate, so they do not fight over
    /// the file; a conflict with another replica is retried on the new head (adding is idempotent).
    /// </summary>
    private async Task EnsureInFluxIndexAsync(string tenant, ChangeAuthor author, CancellationToken cancellationToken)
    {
        var mine = _pendingIndex.GetOrAdd(tenant, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _indexGate.WaitAsync(cancellationToken);
        try
        {
            if (!mine.Task.IsCompleted)
            {
                var batch = _pendingIndex.Keys.ToList();
                await AddToFluxIndexAsync(batch, author, cancellationToken);
                foreach (var added in batch)
                {
                    if (_pendingIndex.TryRemove(added, out var waiter))
                    {
                        waiter.TrySetResult();
                    }
                }
            }
        }
        finally
        {
            _indexGate.Release();
        }

        await mine.Task.WaitAsync(cancellationToken);
    }

    private async Task AddToFluxIndexAsync(List<string> tenantsToAdd, ChangeAuthor author, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var head = await state.GetHeadAsync(cancellationToken);
            var listed = await ReadFluxIndexAsync(head, cancellationToken);
            if (tenantsToAdd.All(listed.Contains))
            {
                return;
            }

            listed.UnionWith(tenantsToAdd);
            var change = new Change
            {
                Puts = TenantRenderer.RenderFluxIndex(listed).ToDictionary(f => f.Key, f => (ReadOnlyMemory<byte>)f.Value, StringComparer.Ordinal),
                Author = author,
                Message = $"Add {string.Join(", ", tenantsToAdd.Order(StringComparer.Ordinal).Take(10))}{(tenantsToAdd.Count > 10 ? " and more" : string.Empty)} to the Flux tenant index",
                ChangeId = Guid.CreateVersion7(time.GetUtcNow()).ToString(),
                BaseRevision = head,
            };
            try
            {
                await state.CommitAsync(change, cancellationToken);
                return;
            }
            catch (ChangeConflictException) when (attempt < 20)
            {
                Log.IndexConflict(logger, attempt);
            }
        }
    }

    /// <summary>The tenants the Flux cluster index lists at <paramref name="head"/>.</summary>
    private async Task<SortedSet<string>> ReadFluxIndexAsync(string? head, CancellationToken cancellationToken)
    {
        var listed = new SortedSet<string>(StringComparer.Ordinal);
        if (head is not null && await state.ReadFileAsync(GitOpsLayout.FluxClusterIndex, head, cancellationToken) is { } bytes
            && YamlJson.Parse(Encoding.UTF8.GetString(bytes))?["resources"] is JsonArray resources)
        {
            listed.UnionWith(resources.Select(r => r?.GetValue<string>()).OfType<string>()
                .Select(GitOpsLayout.TenantOfFluxIndexEntry).OfType<string>());
        }

        return listed;
    }

    /// <summary>Whether the tenant's folder was ever rendered at <paramref name="revision"/>.</summary>
    private async Task<bool> IsRenderedAsync(string tenant, string? revision, CancellationToken cancellationToken) =>
        revision is not null && await state.ReadFileAsync(GitOpsLayout.FluxKustomization(tenant), revision, cancellationToken) is not null;

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

    private async Task<string> ResolveChartVersionAsync(Offering offering, string? requested, CancellationToken cancellationToken)
    {
        var allowed = ParseConstraint(offering.Chart.Version);
        var constraint = requested is null ? allowed : ParseConstraint(requested);
        var tags = offering.Chart.Versions.Count > 0
            ? offering.Chart.Versions
            : await tagSource.ListTagsAsync(
                offering.Chart.IsOci
                    ? TagSourceReference.Oci($"{offering.Chart.Repository}/{offering.Chart.Name}")
                    : TagSourceReference.Helm(offering.Chart.Repository, offering.Chart.Name),
                cancellationToken);

        // Resolving reads every tag; its answer only moves with the list, which is a new object whenever it is listed
        // again (the registry cache expired) or the catalog reloads, so answers are kept per list. Failures are not.
        var known = ResolvedVersions.GetValue(tags, _ => new BoundedCache<(VersionConstraint, VersionConstraint), string>(MaxKeptConstraints));
        if (known.TryGetValue((allowed, constraint), out var tag))
        {
            return tag;
        }

        // A tenant may narrow the platform's constraint, never widen it.
        return known.Set((allowed, constraint), VersionResolver.Resolve(constraint, tags.Where(t => allowed.Matches(t))).GetTagOrThrow());
    }

    /// <summary>Parsed constraints, kept by their text (a malformed one throws and is not kept).</summary>
    private static VersionConstraint ParseConstraint(string text) =>
        ParsedConstraints.TryGetValue(text, out var parsed) ? parsed : ParsedConstraints.Set(text, VersionConstraint.Parse(text));

    private static ChangeAuthor AuthorOf(Principal principal)
    {
        // The address was read with the principal when the request was authenticated (UserPrincipalLoader).
        var email = principal.Kind is PrincipalKind.User or PrincipalKind.External ? principal.Email : null;

        // An API key or a user without an address still gets an honest, recognisable author.
        return new ChangeAuthor(principal.Name, email ?? $"{principal.Id}@{principal.Kind.ToString().ToLowerInvariant()}.gantry.invalid");
    }

    private static void CheckPrecondition(string? ifMatch, InstanceRecord? existing)
    {
        if (ifMatch is null)
        {
            return;
        }

        if (ifMatch == "*" ? existing is null : existing is null || !ETags.Matches(ifMatch, existing.Revision))
        {
            throw new PreconditionFailedException(existing?.Revision);
        }
    }

    private async Task<T> WithTenantGateAsync<T>(string tenant, Func<Task<T>> action)
    {
        var gate = _tenantGates.GetOrAdd(tenant, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            return await action();
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        _indexGate.Dispose();
        foreach (var gate in _tenantGates.Values)
        {
            gate.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "The Flux tenant index changed under an update; writing it again (attempt {Attempt})")]
        public static partial void IndexConflict(ILogger logger, int attempt);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Rebuilt the instance index from Git: {Instances} instances in {Tenants} tenants")]
        public static partial void Reindexed(ILogger logger, int instances, int tenants);

        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Tenant {Tenant} changed under instance {Instance}; rendering again (attempt {Attempt})")]
        public static partial void Rerender(ILogger logger, string tenant, string instance, int attempt);
    }
}
