using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Server.Audit;
using Gantry.Server.Errors;
using Gantry.Server.Identity;

namespace Gantry.Server.Rollouts;

/// <summary>The rollout cannot do what was asked in its state (resume a completed one, roll back twice): answered 409.</summary>
public sealed class RolloutStateException(string state, string message) : Exception(message)
{
    public string State { get; } = state;
}

/// <summary>
/// Starting rollouts and the calls that steer them (pause, resume, abort, rollback); the <see cref="RolloutRunner"/>
/// does the waves. Who may see or steer a rollout: platform admins any; a tenant's admins the rollouts of their tenant.
/// </summary>
public sealed class RolloutService(RolloutPlanner planner, RolloutStore store, IAuthorizer authorizer, AuditLog audit, TimeProvider time)
{
    /// <summary>Plans and stores a rollout; the runner commits its first wave. A rollout that would make any instance invalid is refused whole.</summary>
    public async Task<Rollout> StartAsync(HttpContext context, Principal principal, RolloutRequest request, CancellationToken cancellationToken)
    {
        var plan = await planner.PlanAsync(principal, request, cancellationToken);
        if (plan.Invalid.Count > 0)
        {
            throw new ValidationFailedException(Errors(plan.Invalid));
        }

        if (plan.Changes.Count == 0)
        {
            throw ValidationFailedException.For("selector", $"selects no instance that would change ({plan.Skipped.Count} skipped); see the preview");
        }

        if (!principal.IsPlatformAdmin && plan.Tenants.Count != 1)
        {
            throw ValidationFailedException.For("selector.tenants", "name one tenant: a tenant admin's rollout stays within one tenant");
        }

        var now = time.GetUtcNow();
        var rollout = new Rollout
        {
            Id = Guid.CreateVersion7(now).ToString("N")[..16],
            Offering = plan.Offering.Name,
            Tenant = principal.IsPlatformAdmin ? null : plan.Tenants[0],
            Tenants = plan.Tenants,
            State = RolloutStates.Running,
            StartedBy = new RolloutActor(principal.Id, principal.Name, principal.Kind.ToString(), principal.Email),
            Request = request,
            GatePhase = plan.Spec.GatePhase,
            GateTimeout = plan.Spec.GateTimeout,
            FailureThreshold = plan.Spec.FailureThreshold,
            Waves = [.. plan.Waves.Select((w, i) => new RolloutWave { Index = i, Label = w.Label, Count = w.Count, State = w.Count == 0 ? WaveStates.Skipped : WaveStates.Pending })],
            Instances =
            [
                .. plan.Changes.Select(c => new RolloutInstance
                {
                    Tenant = c.From.Tenant, Name = c.From.Name, Wave = c.Wave, State = RolloutInstanceStates.Pending,
                    FromVersion = c.From.ChartVersion, ToVersion = c.To.ChartVersion, FromRevision = c.FromRevision,
                }),
                .. plan.Skipped.Select(s => new RolloutInstance
                {
                    Tenant = s.Tenant, Name = s.Name, Wave = -1, State = RolloutInstanceStates.Skipped, Reason = s.Reason, FromVersion = "", ToVersion = "",
                }),
            ],
            CreatedAt = now,
        };
        await store.InsertAsync(rollout, cancellationToken);
        await audit.RecordAsync(context, principal, FleetAuditActions.RolloutStarted, rollout.Tenant, rollout.Id,
            $"{rollout.Offering}: {plan.Changes.Count} instances in {rollout.Waves.Count} waves, {plan.Skipped.Count} skipped");
        return rollout;
    }

    /// <summary>The rollout, when the caller may see it (else 404, as if there were none).</summary>
    public async Task<Rollout> GetAsync(Principal principal, string id, CancellationToken cancellationToken)
    {
        var rollout = await store.FindAsync(id, cancellationToken);
        return rollout is not null && CanSee(principal, rollout, ResourceAction.Read) == AccessDecision.Allowed
            ? rollout
            : throw new AccessRefusedException(AccessDecision.NotFound, $"Rollout '{id}' does not exist.");
    }

    public async Task<IReadOnlyList<Rollout>> ListAsync(Principal principal, int limit, CancellationToken cancellationToken)
    {
        if (principal.IsPlatformAdmin)
        {
            return await store.ListAsync(null, allTenants: true, limit, cancellationToken);
        }

        var all = new List<Rollout>();
        foreach (var tenant in authorizer.Filter(principal, principal.Memberships.Keys, t => ResourceRef.InTenant(t, ResourceKinds.Rollout)))
        {
            all.AddRange(await store.ListAsync(tenant, allTenants: false, limit, cancellationToken));
        }

        return [.. all.OrderByDescending(r => r.CreatedAt).Take(limit)];
    }

    public Task<Rollout> PauseAsync(HttpContext context, Principal principal, string id, CancellationToken cancellationToken) =>
        SteerAsync(context, principal, id, FleetAuditActions.RolloutPaused, rollout =>
        {
            Require(rollout, "pause", RolloutStates.Running);
            (rollout.State, rollout.Reason) = (RolloutStates.Paused, $"paused by {principal.Name}");
        }, cancellationToken);

    /// <summary>Goes on from where it stopped; a wave that failed its gate is accepted as it is and the next one starts.</summary>
    public Task<Rollout> ResumeAsync(HttpContext context, Principal principal, string id, CancellationToken cancellationToken) =>
        SteerAsync(context, principal, id, FleetAuditActions.RolloutResumed, rollout =>
        {
            Require(rollout, "resume", RolloutStates.Paused);
            foreach (var wave in rollout.Waves.Where(w => w.State == WaveStates.Failed))
            {
                wave.State = WaveStates.Passed;
            }

            (rollout.State, rollout.Reason) = (RolloutStates.Running, null);
        }, cancellationToken);

    /// <summary>Stops before the next wave; what is committed stays (roll back to undo it).</summary>
    public Task<Rollout> AbortAsync(HttpContext context, Principal principal, string id, CancellationToken cancellationToken) =>
        SteerAsync(context, principal, id, FleetAuditActions.RolloutAborted, rollout =>
        {
            Require(rollout, "abort", RolloutStates.Running, RolloutStates.Paused);
            foreach (var wave in rollout.Waves.Where(w => w.State == WaveStates.Pending))
            {
                wave.State = WaveStates.Skipped;
            }

            (rollout.State, rollout.Reason) = (RolloutStates.Aborted, $"aborted by {principal.Name}");
        }, cancellationToken);

    /// <summary>Reverts every instance the rollout changed to its revision before, in one commit, gated like a wave.</summary>
    public Task<Rollout> RollbackAsync(HttpContext context, Principal principal, string id, CancellationToken cancellationToken) =>
        SteerAsync(context, principal, id, FleetAuditActions.RolloutRolledBack, rollout =>
        {
            Require(rollout, "roll back", RolloutStates.Running, RolloutStates.Paused, RolloutStates.Aborted, RolloutStates.Completed);
            var changed = rollout.Instances.Where(i => i.Revision is not null && i.State != RolloutInstanceStates.Skipped).ToList();
            if (changed.Count == 0)
            {
                throw new RolloutStateException(rollout.State, "The rollout has changed no instance yet: abort it instead.");
            }

            foreach (var wave in rollout.Waves.Where(w => w.State == WaveStates.Pending))
            {
                wave.State = WaveStates.Skipped;
            }

            foreach (var member in changed)
            {
                (member.RolledBack, member.State, member.Reason) = (true, RolloutInstanceStates.Pending, null);
            }

            rollout.Rollback = new RolloutWave { Index = rollout.Waves.Count, Label = "rollback", Count = changed.Count };
            (rollout.State, rollout.Reason) = (RolloutStates.RollingBack, $"rolled back by {principal.Name}");
        }, cancellationToken);

    private async Task<Rollout> SteerAsync(
        HttpContext context, Principal principal, string id, string action, Action<Rollout> steer, CancellationToken cancellationToken)
    {
        await GetAsync(principal, id, cancellationToken);
        var changed = await store.ChangeAsync(id, rollout =>
        {
            if (CanSee(principal, rollout, ResourceAction.Update) is var decision && decision != AccessDecision.Allowed)
            {
                throw new AccessRefusedException(decision, $"Only the admins of tenant '{rollout.Tenant}' (or a platform admin) may steer this rollout.");
            }

            steer(rollout);
            return Task.FromResult(true);
        }, cancellationToken) ?? throw new AccessRefusedException(AccessDecision.NotFound, $"Rollout '{id}' does not exist.");
        await audit.RecordAsync(context, principal, action, changed.Tenant, changed.Id, changed.Reason);
        return changed;
    }

    private AccessDecision CanSee(Principal principal, Rollout rollout, ResourceAction action) =>
        principal.IsPlatformAdmin ? AccessDecision.Allowed
        : rollout.Tenant is null ? AccessDecision.NotFound
        : authorizer.Decide(principal, action, ResourceRef.InTenant(rollout.Tenant, ResourceKinds.Rollout, rollout.Id));

    private static void Require(Rollout rollout, string verb, params string[] states)
    {
        if (!states.Contains(rollout.State))
        {
            throw new RolloutStateException(rollout.State, $"A {rollout.State.ToLowerInvariant()} rollout cannot {verb}; it can from: {string.Join(", ", states)}.");
        }
    }

    private static ValidationErrors Errors(IReadOnlyDictionary<string, string[]> invalid)
    {
        var errors = new ValidationErrors();
        foreach (var (field, messages) in invalid)
        {
            foreach (var message in messages)
            {
                errors.Add($"instances.{field}", message);
            }
        }

        return errors;
    }
}
