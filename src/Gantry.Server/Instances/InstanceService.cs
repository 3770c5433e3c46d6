using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gantry.Core.Caching;
using Gantry.Core.Catalog;
using Gantry.Core.Identity;
using Gantry.Core.Instances;
using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
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
/// Changes to one tenant are serialized in this process and, on PostgreSQL, across replicas (<see cref="TenantWriteLocks"/>);
/// other writers (people, a replica's rollout) are caught by the store's conflict check and the change is re-rendered
/// on the new head. Under the lock a write intent is recorded before each commit and cleared with the index row, so a
/// row left behind by a writer that died in between is repaired from Git (<see cref="RepairIndexAsync"/>).
/// </summary>
public sealed partial class InstanceService(
    IStateStore state,
    OfferingCatalog catalog,
    InstanceRepository index,
    WriteIntentRepository intents,
    TenantRepository tenants,
    TenantWriteLocks tenantLocks,
    ITagSource tagSource,
    InstanceSecretSealer secrets,
    Rollouts.VersionRules rules,
    ChartSchemaCheck chartSchemas,
    Status.DeploymentSignals signals,
    TimeProvider time,
    ILogger<InstanceService> logger) : IDisposable
{
    public const string CommittedStatus = Core.Status.DeploymentPhase.Committed;
    private const int MaxRenderAttempts = 4;
    private const int MaxCachedTenants = 10_000;
    private const int MaxKeptConstraints = 1_024;

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

        // The claim at the row's own revision, so body and ETag agree; a revision another replica pushed is fetched first.
        var claim = await ReadClaimAsync(tenant, name, await ReadableRevisionAsync(record.Revision, cancellationToken), cancellationToken);
        return claim is null ? null : new InstanceState(claim, record);
    }

    /// <summary>
    /// Creates or replaces an instance. <paramref name="ifMatch"/> makes it conditional on the current revision;
    /// <paramref name="createOnly"/> (<c>If-None-Match: *</c>) on there being none.
    /// </summary>
    public Task<(InstanceState State, bool Created)> PutAsync(
        Principal principal, string tenant, string name, InstanceRequest request, string? ifMatch, CancellationToken cancellationToken, bool createOnly = false) =>
        ChangeAsync(principal, tenant, name, ifMatch, _ => request, cancellationToken, createOnly: createOnly);

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
        CancellationToken cancellationToken, bool mustExist = false, IReadOnlySet<string>? regenerate = null, bool createOnly = false)
    {
        var tenantRecord = await tenants.FindAsync(tenant, cancellationToken) ?? throw new InstanceNotFoundException(tenant, name);
        return await WithTenantGateAsync(tenant, async () =>
        {
            var existing = await index.FindAsync(tenant, name, cancellationToken);
            CheckPrecondition(ifMatch, existing, createOnly, tenant, name);
            var basis = await CurrentSnapshotAsync(tenant, name, existing, cancellationToken);
            var (snapshot, current) = basis;
            if (mustExist && current is null)
            {
                throw new InstanceNotFoundException(tenant, name);
            }

            var request = build(current!);
            var (claim, offering, kept) = await PlanClaimAsync(principal, tenantRecord, name, request, snapshot, current, cancellationToken);

            // Sealed before the commit, so the claim and its SealedSecret go to Git in the same change.
            var sealedSecrets = await secrets.SealAsync(claim, offering, kept, request.Secrets, regenerate, cancellationToken);
            claim = claim with { SealedSecrets = sealedSecrets.Sealed };
            var verb = regenerate is not null ? "Rotate credentials of" : existing is null ? "Create" : "Update";
            var state = await CommitAsync(principal, tenant, name, claim, $"{verb} instance {tenant}/{name} ({claim.Offering} {claim.ChartVersion})", existing, basis, cancellationToken);
            return (state! with { Credentials = sealedSecrets.Generated }, existing is null);
        });
    }

    /// <summary>
    /// The checks and resolution every change passes before anything is sealed or written: the offering's schema,
    /// the tenant's quotas, the version constraint and rules, the chart's own schema. Answers the claim it would store
    /// (without generation and new secrets), the offering and the sealed secrets the change keeps.
    /// </summary>
    private async Task<(InstanceClaim Claim, Offering Offering, IReadOnlyDictionary<string, string> Kept)> PlanClaimAsync(
        Principal principal, Data.Tenants.TenantRecord tenantRecord, string name, InstanceRequest request, TenantSnapshot snapshot, InstanceClaim? current,
        CancellationToken cancellationToken)
    {
        var tenant = tenantRecord.Name;
        var offering = request.Offering is null ? null : catalog.Find(request.Offering);
        var otherInstances = snapshot.Instances.Count - (current is null ? 0 : 1);
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
        var chartVersion = await ResolveChartVersionAsync(offering!, request.Version, cancellationToken);
        await rules.CheckAsync(principal, tenant, name, offering!, current?.Offering == offering!.Name ? current.ChartVersion : null, chartVersion,
            request.Force, errors, cancellationToken);
        await chartSchemas.CheckAsync(offering, chartVersion, request.Values ?? [], errors, cancellationToken);
        errors.ThrowIfAny();
        var claim = new InstanceClaim
        {
            Tenant = tenant,
            Name = name,
            Offering = offering.Name,
            Version = request.Version ?? offering.Chart.Version,
            ChartVersion = chartVersion,
            Namespace = offering.NamespaceFor(tenant, name),
            Values = request.Values?.DeepClone().AsObject() ?? [],
        };
        return (claim, offering, kept);
    }

    public async Task DeleteAsync(Principal principal, string tenant, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        await WithTenantGateAsync(tenant, async () =>
        {
            var existing = await index.FindAsync(tenant, name, cancellationToken) ?? throw new InstanceNotFoundException(tenant, name);
            CheckPrecondition(ifMatch, existing);
            await CommitAsync(principal, tenant, name, claim: null, $"Delete instance {tenant}/{name}", existing,
                await CurrentSnapshotAsync(tenant, name, existing, cancellationToken), cancellationToken);
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
                await CurrentSnapshotAsync(tenant, name, existing, cancellationToken), cancellationToken))!;
        });
    }

    private static void CheckPrecondition(string? ifMatch, InstanceRecord? existing, bool createOnly, string tenant, string name)
    {
        if (createOnly && existing is not null)
        {
            throw new InstanceExistsException(tenant, name);
        }

        CheckPrecondition(ifMatch, existing);
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
            // One waiter per tenant and process asks for the replicas' lock: the gate first, then the database.
            await using var shared = await tenantLocks.AcquireAsync(tenant, CancellationToken.None);
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

        [LoggerMessage(EventId = 5004, Level = LogLevel.Information,
            Message = "Repaired the index row of instance {Tenant}/{Instance} from Git after an interrupted write: {Outcome} (generation {Generation}, revision {Revision})")]
        public static partial void Repaired(ILogger logger, string tenant, string instance, IndexRepairOutcome outcome, long? generation, string? revision);

        [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Repairing the index rows of tenant {Tenant} failed; retrying at the next pass")]
        public static partial void RepairFailed(ILogger logger, string tenant, Exception exception);
    }
}
