using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Data.Instances;
using Gantry.Server.Audit;
using Gantry.Server.Instances;

namespace Gantry.Server.Rollouts;

/// <summary>What <c>PUT …/instances/{name}/pin</c> takes; <see cref="Version"/> defaults to the instance's current chart version.</summary>
public sealed record PinRequest(string? Version, string? Reason, DateTimeOffset? Until);

/// <summary>
/// Pins on instances: set and cleared by the tenant's admins or a platform admin; a pin whose expiry passed is lifted
/// (removed and audited) by whoever meets it first: a read, a rule check, or the sweep of <see cref="PinExpiryService"/>.
/// </summary>
public sealed partial class PinService(PinRepository pins, InstanceRepository index, AuditLog audit, TimeProvider time, ILogger<PinService> logger)
{
    public const int MaxReasonLength = 500;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    /// <summary>The instance's pin while it holds, else null (an expired pin is lifted on the way).</summary>
    public async Task<PinRecord?> FindActiveAsync(string tenant, string name, CancellationToken cancellationToken)
    {
        var pin = await pins.FindAsync(tenant, name, cancellationToken);
        if (pin is not null && pin.IsExpired(time.GetUtcNow()))
        {
            await LiftAsync(pin, cancellationToken);
            return null;
        }

        return pin;
    }

    /// <summary>
    /// The pins that hold on the instances of <paramref name="tenants"/> (all tenants when null), by instance, and the
    /// expired ones met on the way, which are lifted (and audited) now.
    /// </summary>
    public async Task<(Dictionary<(string Tenant, string Name), PinRecord> Active, IReadOnlyList<PinRecord> Lifted)> ActiveForAsync(
        IReadOnlyCollection<string>? tenants, CancellationToken cancellationToken)
    {
        var all = new List<PinRecord>();
        foreach (var tenant in tenants is null ? [null] : tenants.Cast<string?>())
        {
            all.AddRange(await pins.ListAsync(tenant, cancellationToken));
        }

        var now = time.GetUtcNow();
        var lifted = new List<PinRecord>();
        foreach (var expired in all.Where(p => p.IsExpired(now)))
        {
            if (await LiftAsync(expired, cancellationToken))
            {
                lifted.Add(expired);
            }
        }

        return (all.Where(p => !p.IsExpired(now)).ToDictionary(p => (p.Tenant, p.Name)), lifted);
    }

    public async Task<PinRecord> SetAsync(Principal principal, string tenant, string name, PinRequest request, CancellationToken cancellationToken)
    {
        var record = await index.FindAsync(tenant, name, cancellationToken) ?? throw new InstanceNotFoundException(tenant, name);
        var now = time.GetUtcNow();
        var errors = new ValidationErrors();
        var version = string.IsNullOrWhiteSpace(request.Version) ? record.ChartVersion : request.Version.Trim();
        if (!VersionConstraint.TryParse(version, out var constraint, out var problem))
        {
            errors.Add("version", problem);
        }
        else if (!constraint.Matches(record.ChartVersion))
        {
            errors.Add("version", $"the instance runs chart {record.ChartVersion}, which '{version}' does not match: a pin holds an instance where it is");
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            errors.Add("reason", "is required: say why the instance is held (it is shown to whoever rolls out past it)");
        }
        else if (request.Reason.Length > MaxReasonLength || request.Reason.Any(char.IsControl))
        {
            errors.Add("reason", $"must be at most {MaxReasonLength} characters without control characters");
        }

        if (request.Until is { } until && (until <= now || until > now + MaxLifetime))
        {
            errors.Add("until", $"must be in the future and at most {MaxLifetime.TotalDays:0} days ahead");
        }

        errors.ThrowIfAny();
        var pin = new PinRecord
        {
            Tenant = tenant,
            Name = name,
            Version = version,
            Reason = request.Reason!.Trim(),
            ExpiresAt = request.Until?.ToUniversalTime(),
            PinnedBy = principal.Name,
            PinnedAt = now,
        };
        await pins.SetAsync(pin, cancellationToken);
        return pin;
    }

    public Task<bool> ClearAsync(string tenant, string name, CancellationToken cancellationToken) => pins.DeleteAsync(tenant, name, cancellationToken);

    /// <summary>One sweep: lifts every pin expired at the provider's current time; returns how many.</summary>
    public async Task<int> LiftExpiredAsync(CancellationToken cancellationToken)
    {
        var lifted = 0;
        foreach (var pin in await pins.ListExpiredAsync(time.GetUtcNow(), limit: 1_000, cancellationToken))
        {
            lifted += await LiftAsync(pin, cancellationToken) ? 1 : 0;
        }

        return lifted;
    }

    private async Task<bool> LiftAsync(PinRecord pin, CancellationToken cancellationToken)
    {
        if (!await pins.DeleteExpiredAsync(pin, cancellationToken))
        {
            return false; // lifted (or set again) by someone else meanwhile
        }

        await audit.RecordSystemAsync(FleetAuditActions.PinExpired, pin.Tenant, pin.Name,
            $"pin to {pin.Version} expired {pin.ExpiresAt:yyyy-MM-dd'T'HH:mm:ss'Z'} (set by {pin.PinnedBy}: {pin.Reason})");
        Log.Lifted(logger, pin.Tenant, pin.Name, pin.Version);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "The pin of instance {Tenant}/{Instance} to {Version} expired and was lifted")]
        public static partial void Lifted(ILogger logger, string tenant, string instance, string version);
    }
}

/// <summary>Audit actions of fleet operations.</summary>
public static class FleetAuditActions
{
    public const string PinSet = "instance.pin.set";
    public const string PinCleared = "instance.pin.clear";
    public const string PinExpired = "instance.pin.expire";
    public const string RolloutStarted = "rollout.start";
    public const string RolloutChanged = "rollout.instance.change";
    public const string RolloutPaused = "rollout.pause";
    public const string RolloutResumed = "rollout.resume";
    public const string RolloutAborted = "rollout.abort";
    public const string RolloutRolledBack = "rollout.rollback";
}
