using Gantry.Core.Catalog;
using Gantry.Core.Identity;
using Gantry.Core.Instances;
using Gantry.Core.Status;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Data.Instances;
using Gantry.Data.Tenants;
using Gantry.Server.Catalog;
using Gantry.Server.Errors;
using Gantry.Server.Identity;
using Gantry.Server.Instances;

namespace Gantry.Server.Rollouts;

/// <summary>One instance the rollout changes: its claim now, the claim it gets, and its wave.</summary>
public sealed record PlannedChange(InstanceClaim From, InstanceClaim To, string FromRevision, int Wave);

/// <summary>An instance the rollout leaves as it is, and why.</summary>
public sealed record SkippedInstance(string Tenant, string Name, string Reason);

/// <summary>What a rollout would do, decided before anything is written.</summary>
public sealed record RolloutPlan(
    RolloutSpec Spec,
    Offering Offering,
    IReadOnlyList<string> Tenants,
    IReadOnlyList<PlannedChange> Changes,
    IReadOnlyList<SkippedInstance> Skipped,
    IReadOnlyDictionary<string, string[]> Invalid,
    IReadOnlyList<(string Label, int Count)> Waves)
{
    /// <summary>Pins of the selected tenants found expired while planning, and lifted: their instances take part again.</summary>
    public IReadOnlyList<SkippedInstance> LiftedPins { get; init; } = [];
}

/// <summary>
/// Works out a rollout from the index and the claims: which instances the selector takes (within the caller's tenants),
/// the claim each would get, checked as a single change would be (schema, fixed values, quotas, version rules, pins),
/// and the wave each falls in. Pure apart from reading; the preview answers it and a start commits it.
/// </summary>
public sealed class RolloutPlanner(
    OfferingCatalog catalog, ChartSchemaCheck chartSchemas, InstanceRepository index, InstanceService instances, TenantRepository tenantRepository,
    PinService pins, IAuthorizer authorizer)
{
    public async Task<RolloutPlan> PlanAsync(Principal principal, RolloutRequest request, CancellationToken cancellationToken)
    {
        var spec = RolloutSpec.From(request);
        var offering = catalog.Find(spec.Offering) ?? throw ValidationFailedException.For("offering", $"there is no offering '{spec.Offering}'");
        if (spec.Force && !principal.IsPlatformAdmin)
        {
            throw ValidationFailedException.For("force", "only a platform administrator may force a downgrade");
        }

        var tenants = ScopeTenants(principal, spec.Selector.Tenants);
        var rows = await SelectAsync(spec, tenants, cancellationToken);
        var (activePins, lifted) = await pins.ActiveForAsync(tenants, cancellationToken);

        var changes = new List<(InstanceClaim From, InstanceClaim To, string Revision)>();
        var skipped = new List<SkippedInstance>();
        var invalid = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var quotas = new Dictionary<string, TenantQuotas>(StringComparer.Ordinal);
        foreach (var tenantRows in rows.GroupBy(r => r.Tenant, StringComparer.Ordinal))
        {
            var tenant = tenantRows.Key;
            var (claims, count) = await instances.ClaimsAsync(tenant, tenantRows.Select(r => r.Name), cancellationToken);
            var quota = quotas.TryGetValue(tenant, out var known) ? known
                : quotas[tenant] = (await tenantRepository.FindAsync(tenant, cancellationToken))?.Quotas ?? new TenantQuotas();
            foreach (var row in tenantRows)
            {
                if (claims.GetValueOrDefault(row.Name) is not { } claim)
                {
                    continue; // indexed but gone from Git: a reindex will drop it
                }

                if (activePins.GetValueOrDefault((tenant, row.Name)) is { } pin)
                {
                    skipped.Add(new SkippedInstance(tenant, row.Name, $"pinned to {pin.Version} by {pin.PinnedBy}: {pin.Reason}"));
                    continue;
                }

                var (next, errors) = await NextClaimAsync(spec, offering, claim, quota, count - 1, cancellationToken);
                if (errors is not null)
                {
                    foreach (var (field, messages) in errors)
                    {
                        invalid[$"{tenant}/{row.Name}: {field}"] = messages;
                    }
                }
                else if (next!.IsSameAs(claim))
                {
                    skipped.Add(new SkippedInstance(tenant, row.Name, "already at the target"));
                }
                else if (VersionRules.Refusal(offering, null, claim.ChartVersion, next.ChartVersion, spec.Force) is { } refusal)
                {
                    skipped.Add(new SkippedInstance(tenant, row.Name, $"out of policy: {refusal}"));
                }
                else
                {
                    changes.Add((claim, next, row.Revision));
                }
            }
        }

        var (waves, planned) = AssignWaves(spec, changes);
        return new RolloutPlan(spec, offering, tenants ?? [.. rows.Select(r => r.Tenant).Distinct(StringComparer.Ordinal)], planned, skipped, invalid, waves)
        {
            LiftedPins = [.. lifted.Select(p => new SkippedInstance(p.Tenant, p.Name, $"the pin to {p.Version} by {p.PinnedBy} expired {p.ExpiresAt:yyyy-MM-dd'T'HH:mm:ss'Z'} and was lifted"))],
        };
    }

    /// <summary>
    /// The tenants a caller may roll out: a platform admin any (null: all), anyone else those they administer. A named
    /// tenant they are not in does not exist for them (404); one they only work in is forbidden (403).
    /// </summary>
    private List<string>? ScopeTenants(Principal principal, IReadOnlyList<string>? named)
    {
        if (principal.IsPlatformAdmin)
        {
            return named?.Distinct(StringComparer.Ordinal).ToList();
        }

        if (named is null)
        {
            var own = principal.Memberships.Keys.Order(StringComparer.Ordinal)
                .Where(t => AccessPolicy.Allows(principal, ResourceAction.Create, ResourceRef.InTenant(t, ResourceKinds.Rollout))).ToList();
            return own.Count > 0 ? own : throw new AccessRefusedException(AccessDecision.Forbidden, "Only a tenant's admins (or a platform admin) may roll out its instances.");
        }

        foreach (var tenant in named)
        {
            var decision = authorizer.Decide(principal, ResourceAction.Create, ResourceRef.InTenant(tenant, ResourceKinds.Rollout));
            if (decision != AccessDecision.Allowed)
            {
                throw new AccessRefusedException(decision, decision == AccessDecision.NotFound
                    ? $"Tenant '{tenant}' does not exist."
                    : $"Only the admins of tenant '{tenant}' (or a platform admin) may roll out its instances.");
            }
        }

        return named.Distinct(StringComparer.Ordinal).ToList();
    }

    private async Task<List<InstanceRecord>> SelectAsync(RolloutSpec spec, List<string>? tenants, CancellationToken cancellationToken)
    {
        var rows = new List<InstanceRecord>();
        foreach (var tenant in tenants is null ? [null] : tenants.Cast<string?>())
        {
            rows.AddRange(await index.ListByOfferingAsync(spec.Offering, tenant, cancellationToken));
        }

        var names = spec.Selector.Instances?.ToHashSet(StringComparer.Ordinal);
        var range = spec.Selector.ChartVersion is { } text ? VersionConstraint.Parse(text) : null;
        var phase = DeploymentPhase.Parse(spec.Selector.Phase);
        return rows.Where(r => (names is null || names.Contains(r.Name)) && (range is null || range.Matches(r.ChartVersion)) && (phase is null || r.Status == phase))
            .OrderBy(r => r.Tenant, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The claim the instance would get, checked as a single change would be; or the problems with it.</summary>
    public async Task<(InstanceClaim? Next, IDictionary<string, string[]>? Errors)> NextClaimAsync(
        RolloutSpec spec, Offering offering, InstanceClaim claim, TenantQuotas quota, int otherInstances, CancellationToken cancellationToken)
    {
        var request = new InstanceRequest
        {
            Offering = offering.Name,
            Version = spec.Change.Version ?? claim.Version,
            Values = spec.Change.Values is { } patch ? ValuesPath.ApplyMergePatch(claim.Values, patch) : claim.Values.DeepClone().AsObject(),
        };
        var errors = InstanceValidator.Validate(new InstanceValidationContext
        {
            Tenant = claim.Tenant,
            Name = claim.Name,
            Request = request,
            Offering = offering,
            Quota = quota,
            OtherInstances = otherInstances,
            SecretsSet = claim.SealedSecrets.Keys.ToHashSet(StringComparer.Ordinal),
        });
        if (!errors.IsEmpty)
        {
            return (null, errors.ToDictionary());
        }

        try
        {
            var chartVersion = await instances.ResolveChartVersionAsync(offering, request.Version, cancellationToken);
            var chartErrors = new ValidationErrors();
            await chartSchemas.CheckAsync(offering, chartVersion, request.Values!, chartErrors, cancellationToken);
            return chartErrors.IsEmpty
                ? (claim with { Version = request.Version!, ChartVersion = chartVersion, Values = request.Values! }, null)
                : (null, chartErrors.ToDictionary());
        }
        catch (VersionNotResolvedException e)
        {
            return (null, new Dictionary<string, string[]> { ["version"] = [e.Message] });
        }
    }

    /// <summary>Each change's wave: a tenants wave takes the remaining instances of those tenants, a percent wave tops the count up to that share.</summary>
    private static (List<(string Label, int Count)> Waves, List<PlannedChange> Planned) AssignWaves(
        RolloutSpec spec, List<(InstanceClaim From, InstanceClaim To, string Revision)> changes)
    {
        var wave = new int[changes.Count];
        Array.Fill(wave, -1);
        var waves = new List<(string Label, int Count)>();
        var assigned = 0;
        for (var w = 0; w < spec.Waves.Count; w++)
        {
            var specWave = spec.Waves[w];
            var before = assigned;
            var listed = specWave.Tenants?.ToHashSet(StringComparer.Ordinal);
            var target = specWave.Percent is { } percent ? (int)Math.Ceiling(changes.Count * percent / 100.0) : int.MaxValue;
            for (var i = 0; i < changes.Count && assigned < target; i++)
            {
                if (wave[i] < 0 && (listed is null || listed.Contains(changes[i].From.Tenant)))
                {
                    wave[i] = w;
                    assigned++;
                }
            }

            waves.Add((listed is null ? $"{specWave.Percent}%" : $"tenants {string.Join(", ", listed.Order(StringComparer.Ordinal))}", assigned - before));
        }

        if (assigned < changes.Count)
        {
            throw ValidationFailedException.For("strategy.waves", $"the waves leave {changes.Count - assigned} of the {changes.Count} instances that would change out; end with {{\"percent\": 100}}");
        }

        return (waves, [.. changes.Select((c, i) => new PlannedChange(c.From, c.To, c.Revision, wave[i]))]);
    }
}
