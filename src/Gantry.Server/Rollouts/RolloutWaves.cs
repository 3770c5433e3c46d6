using Gantry.Core.Identity;
using Gantry.Core.Status;
using Gantry.Core.Instances;
using Gantry.Data.Instances;
using Gantry.Data.Tenants;
using Gantry.Server.Audit;
using Gantry.Server.Catalog;
using Gantry.Server.Instances;

namespace Gantry.Server.Rollouts;

/// <summary>
/// A rollout's two steps: committing a wave (every instance of the wave, checked again as it is now, in one commit
/// authored by whoever started the rollout, audited per instance) and judging its gate from the deployment status the
/// engines reported (the instance index, kept by the status webhooks).
/// </summary>
public sealed class RolloutWaves(
    InstanceService instances, InstanceRepository index, TenantRepository tenants, OfferingCatalog catalog, RolloutPlanner planner,
    PinService pins, AuditLog audit, TimeProvider time)
{
    private const int ManyTenants = 50;

    /// <summary>Commits the wave: instances pinned, changed out of policy or made invalid since the preview are skipped (or failed) instead.</summary>
    public async Task CommitWaveAsync(Rollout rollout, RolloutWave wave, CancellationToken cancellationToken)
    {
        var spec = RolloutSpec.From(rollout.Request);
        var offering = catalog.Find(rollout.Offering);
        var members = rollout.Instances.Where(i => i.Wave == wave.Index && i.State == RolloutInstanceStates.Pending).ToList();
        var batch = new List<BatchChange>();
        var memberTenants = members.Select(m => m.Tenant).Distinct(StringComparer.Ordinal).ToList();
        var (held, _) = await pins.ActiveForAsync(memberTenants.Count > ManyTenants ? null : memberTenants, cancellationToken);
        var records = await StatusOfAsync(rollout.Offering, members, cancellationToken);
        var quotas = new Dictionary<string, TenantQuotas>(StringComparer.Ordinal);
        var read = new Dictionary<string, (IReadOnlyDictionary<string, InstanceClaim> Claims, int Count)>(StringComparer.Ordinal);
        foreach (var group in members.GroupBy(m => m.Tenant, StringComparer.Ordinal))
        {
            read[group.Key] = await instances.ClaimsAsync(group.Key, group.Select(m => m.Name), cancellationToken);
        }

        foreach (var member in members)
        {
            var (claims, count) = read[member.Tenant];
            if (offering is null || claims.GetValueOrDefault(member.Name) is not { } current || current.Offering != offering.Name)
            {
                Skip(member, "the instance is gone (or no longer of this offering)");
                continue;
            }

            if (held.GetValueOrDefault((member.Tenant, member.Name)) is { } pin)
            {
                Skip(member, $"pinned to {pin.Version} by {pin.PinnedBy}: {pin.Reason}");
                continue;
            }

            if (!quotas.TryGetValue(member.Tenant, out var quota))
            {
                quota = quotas[member.Tenant] = (await tenants.FindAsync(member.Tenant, cancellationToken))?.Quotas ?? new TenantQuotas();
            }

            var (next, errors) = await planner.NextClaimAsync(spec, offering, current, quota, count - 1, cancellationToken);
            if (errors is not null)
            {
                member.State = RolloutInstanceStates.Failed;
                member.Reason = "invalid now: " + string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(" ", e.Value)}"));
            }
            else if (next!.IsSameAs(current))
            {
                if (await ThisRolloutsCommitAsync(rollout, member, cancellationToken) is { } earlier)
                {
                    // This wave was committed before and what became of it was never recorded (the replica died, or
                    // the database failed, between the two): take it up as committed, so the gate judges it and a
                    // rollback restores it.
                    member.State = RolloutInstanceStates.Committed;
                    member.Revision = earlier.Revision;
                    member.FromRevision = earlier.Before;
                    member.Generation = current.Generation;
                    member.Phase = records.GetValueOrDefault((member.Tenant, member.Name))?.Status;
                }
                else
                {
                    Skip(member, "already at the target");
                }
            }
            else if (VersionRules.Refusal(offering, null, current.ChartVersion, next.ChartVersion, spec.Force) is { } refusal)
            {
                Skip(member, $"out of policy: {refusal}");
            }
            else
            {
                member.FromRevision = records.GetValueOrDefault((member.Tenant, member.Name))?.Revision;
                batch.Add(new BatchChange(current, next));
            }
        }

        var waveNumber = $"{wave.Index + 1}/{rollout.Waves.Count}";
        await CommitAsync(rollout, wave, batch, $"Rollout {rollout.Id} wave {waveNumber} ({wave.Label}): {batch.Count} instances of {rollout.Offering}",
            FleetAuditActions.RolloutChanged, cancellationToken);
    }

    /// <summary>Commits the rollback: every instance the rollout changed, still as the rollout left it, back to its claim before.</summary>
    public async Task CommitRollbackAsync(Rollout rollout, RolloutWave wave, CancellationToken cancellationToken)
    {
        var batch = new List<BatchChange>();
        foreach (var member in rollout.Instances.Where(i => i.RolledBack && i.State == RolloutInstanceStates.Pending))
        {
            var changed = member.Revision is null ? null : await instances.ClaimAtAsync(member.Tenant, member.Name, member.Revision, cancellationToken);
            var before = member.FromRevision is null ? null : await instances.ClaimAtAsync(member.Tenant, member.Name, member.FromRevision, cancellationToken);
            if (changed is null || before is null)
            {
                Skip(member, "its revision before the rollout is not known");
                continue;
            }

            batch.Add(new BatchChange(changed, before));
        }

        await CommitAsync(rollout, wave, batch, $"Roll back rollout {rollout.Id}: {batch.Count} instances of {rollout.Offering}",
            FleetAuditActions.RolloutRolledBack, cancellationToken);
    }

    /// <summary>
    /// Judges the wave's gate: passed when every committed instance reached the gate's phase, failed when more than the
    /// threshold failed (or were still not there at the deadline); otherwise it keeps waiting. Returns the wave's state.
    /// </summary>
    public async Task<string> CheckGateAsync(Rollout rollout, RolloutWave wave, IReadOnlyList<RolloutInstance> members, CancellationToken cancellationToken)
    {
        var late = time.GetUtcNow() >= wave.Deadline;
        var waiting = 0;
        var committed = members.Where(m => m.State == RolloutInstanceStates.Committed).ToList();
        var records = await StatusOfAsync(rollout.Offering, committed, cancellationToken);
        foreach (var member in committed)
        {
            var record = records.GetValueOrDefault((member.Tenant, member.Name));
            member.Phase = record?.Status;
            if (record is null || record.Generation > member.Generation)
            {
                // Deleted or changed again by someone since: the rollout no longer speaks for it.
                Skip(member, record is null ? "deleted during the rollout" : "changed again during the rollout");
            }
            else if (rollout.GatePhase == DeploymentPhase.Committed || record.Status == DeploymentPhase.Ready)
            {
                member.State = RolloutInstanceStates.Ready;
            }
            else if (record.Status is DeploymentPhase.Failed or DeploymentPhase.Degraded)
            {
                member.State = RolloutInstanceStates.Failed;
                member.Reason = $"{record.Status}: {record.StatusMessage}";
            }
            else if (late)
            {
                member.State = RolloutInstanceStates.Failed;
                member.Reason = $"not {rollout.GatePhase} within {rollout.GateTimeout.TotalSeconds:0}s (still {record.Status})";
            }
            else
            {
                waiting++;
            }
        }

        var failed = members.Count(m => m.State == RolloutInstanceStates.Failed);
        wave.State = failed > rollout.FailureThreshold ? WaveStates.Failed : waiting > 0 ? WaveStates.Gated : WaveStates.Passed;
        return wave.State;
    }

    /// <summary>
    /// When the last commit that changed the instance's claim is one of this rollout's waves: that commit and the one
    /// before it (what a rollback restores); else null.
    /// </summary>
    private async Task<(string Revision, string? Before)?> ThisRolloutsCommitAsync(Rollout rollout, RolloutInstance member, CancellationToken cancellationToken)
    {
        var history = await instances.HistoryAsync(member.Tenant, member.Name, 2, null, cancellationToken);
        return history.Commits is [var last, ..] && last.Message.StartsWith($"Rollout {rollout.Id} wave ", StringComparison.Ordinal)
            ? (last.Revision, history.Commits.Count > 1 ? history.Commits[1].Revision : null)
            : null;
    }

    /// <summary>The index rows of the instances: per tenant while they are few, else the offering's whole fleet in one query.</summary>
    private async Task<Dictionary<(string, string), InstanceRecord>> StatusOfAsync(string offering, List<RolloutInstance> members, CancellationToken cancellationToken)
    {
        var tenantNames = members.Select(m => m.Tenant).Distinct(StringComparer.Ordinal).ToList();
        var rows = new List<InstanceRecord>();
        foreach (var tenant in tenantNames.Count > ManyTenants ? [null] : tenantNames.Cast<string?>())
        {
            rows.AddRange(await index.ListByOfferingAsync(offering, tenant, cancellationToken));
        }

        return rows.ToDictionary(r => (r.Tenant, r.Name));
    }

    private async Task CommitAsync(Rollout rollout, RolloutWave wave, List<BatchChange> batch, string message, string action, CancellationToken cancellationToken)
    {
        var actor = rollout.StartedBy;
        var principal = new Principal
        {
            Id = actor.Id,
            Name = actor.Name,
            Kind = Enum.TryParse<PrincipalKind>(actor.Kind, out var kind) ? kind : PrincipalKind.User,
            Email = actor.Email,
        };
        var (revision, outcomes) = batch.Count == 0 ? (null, []) : await instances.CommitBatchAsync(principal, batch, message, cancellationToken);
        var byName = rollout.Instances.ToDictionary(i => (i.Tenant, i.Name));
        foreach (var outcome in outcomes)
        {
            var member = byName[(outcome.Tenant, outcome.Name)];
            if (outcome.State is not { } state)
            {
                Skip(member, outcome.Skipped!);
                continue;
            }

            member.State = RolloutInstanceStates.Committed;
            member.Revision = state.Record.Revision;
            member.Generation = state.Record.Generation;
            member.Phase = state.Record.Status;
        }

        // One audit entry per instance; written side by side, so the database commits them in groups.
        await Parallel.ForEachAsync(outcomes.Where(o => o.State is not null), new ParallelOptions { MaxDegreeOfParallelism = InstanceService.IndexParallelism, CancellationToken = cancellationToken },
            async (outcome, _) => await audit.RecordOnBehalfAsync(actor.Id, actor.Name, actor.Kind, action, outcome.Tenant, outcome.Name,
                $"rollout {rollout.Id} wave {wave.Label}: chart {outcome.State!.Claim.ChartVersion}, revision {outcome.State.Record.Revision}"));

        wave.Revision = revision;
        wave.CommittedAt = time.GetUtcNow();
        wave.Deadline = wave.CommittedAt + rollout.GateTimeout;
        wave.State = WaveStates.Gated;
    }

    private static void Skip(RolloutInstance member, string reason)
    {
        member.State = RolloutInstanceStates.Skipped;
        member.Reason = reason;
    }
}
