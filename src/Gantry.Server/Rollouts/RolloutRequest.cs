using System.Text.Json.Nodes;
using Gantry.Core.Status;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Server.Status;

namespace Gantry.Server.Rollouts;

/// <summary>
/// <c>POST /api/v1/rollouts</c> and <c>/rollouts/preview</c>: which instances of an offering, what to change in them,
/// and how to go about it.
/// </summary>
public sealed record RolloutRequest
{
    public string? Offering { get; init; }

    public RolloutSelector? Selector { get; init; }

    public RolloutChange? Change { get; init; }

    public RolloutStrategy? Strategy { get; init; }

    /// <summary>Take lower chart versions although the offering refuses downgrades; platform admins only.</summary>
    public bool Force { get; init; }
}

/// <summary>Which instances: every one of the offering, narrowed by each filter given.</summary>
public sealed record RolloutSelector
{
    /// <summary>Tenants by name; a tenant admin's rollout is always within their own tenants.</summary>
    public IReadOnlyList<string>? Tenants { get; init; }

    /// <summary>Instances by name (in any of the selected tenants).</summary>
    public IReadOnlyList<string>? Instances { get; init; }

    /// <summary>A version range the current chart version must match, e.g. <c>&lt;2.2.0</c>.</summary>
    public string? ChartVersion { get; init; }

    /// <summary>The current deployment phase, e.g. <c>Ready</c>.</summary>
    public string? Phase { get; init; }
}

/// <summary>What changes: a chart version constraint, and/or an RFC 7396 merge patch of the values.</summary>
public sealed record RolloutChange
{
    public string? Version { get; init; }

    public JsonObject? Values { get; init; }
}

public sealed record RolloutStrategy
{
    /// <summary>Ordered waves; by default one wave of every instance.</summary>
    public IReadOnlyList<RolloutWaveSpec>? Waves { get; init; }

    public RolloutGate? Gate { get; init; }

    /// <summary>When waves may start (UTC, daily); a wave already committed is gated whatever the time.</summary>
    public RolloutWindow? Window { get; init; }
}

/// <summary>A daily window, <c>HH:mm</c> to <c>HH:mm</c> in UTC; one that ends before it starts runs over midnight (22:00 to 06:00).</summary>
public sealed record RolloutWindow
{
    public string? Start { get; init; }

    public string? End { get; init; }

    /// <summary>Whether <paramref name="now"/> is inside the window (its start included, its end not).</summary>
    public bool IsOpen(DateTimeOffset now)
    {
        var (start, end, at) = (Parse(Start), Parse(End), now.UtcDateTime.TimeOfDay);
        return start <= end ? at >= start && at < end : at >= start || at < end;
    }

    internal static TimeSpan? TryParse(string? text) =>
        TimeSpan.TryParseExact(text, "hh\\:mm", System.Globalization.CultureInfo.InvariantCulture, out var time) && time < TimeSpan.FromDays(1) ? time : null;

    private static TimeSpan Parse(string? text) => TryParse(text) ?? TimeSpan.Zero;
}

/// <summary>A wave: the instances of some tenants (a canary list), or up to a share of all the instances that change.</summary>
public sealed record RolloutWaveSpec
{
    public IReadOnlyList<string>? Tenants { get; init; }

    /// <summary>Up to this share (1–100) of every instance that changes, counted from the first wave on.</summary>
    public int? Percent { get; init; }
}

/// <summary>
/// What a wave must reach before the next starts: every changed instance in <see cref="Phase"/> (<c>Ready</c>, the
/// engines' report; or <c>Committed</c>, the commit alone) within <see cref="Timeout"/>. More than
/// <see cref="FailureThreshold"/> instances Failed, Degraded or late pause the rollout.
/// </summary>
public sealed record RolloutGate
{
    public string? Phase { get; init; }

    public string? Timeout { get; init; }

    public int? FailureThreshold { get; init; }
}

/// <summary>A checked request: the gate and waves as the runner uses them.</summary>
public sealed record RolloutSpec(
    string Offering, RolloutSelector Selector, RolloutChange Change, IReadOnlyList<RolloutWaveSpec> Waves, string GatePhase,
    TimeSpan GateTimeout, int FailureThreshold, bool Force, RolloutWindow? Window)
{
    public const int MaxWaves = 20;
    public const int MaxListed = 10_000;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    /// <summary>Checks the request's own fields (not yet against the fleet), naming every bad one.</summary>
    public static RolloutSpec From(RolloutRequest request)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Offering))
        {
            errors.Add("offering", "is required: the offering whose instances change");
        }

        var selector = request.Selector ?? new RolloutSelector();
        CheckNames(selector.Tenants, "selector.tenants", errors);
        CheckNames(selector.Instances, "selector.instances", errors);
        if (selector.ChartVersion is { } range && !VersionConstraint.TryParse(range, out _, out var rangeError))
        {
            errors.Add("selector.chartVersion", $"is not a valid version range: {rangeError}");
        }

        if (selector.Phase is not null && DeploymentPhase.Parse(selector.Phase) is null)
        {
            errors.Add("selector.phase", $"must be one of: {string.Join(", ", DeploymentPhase.All)}");
        }

        var change = request.Change ?? new RolloutChange();
        if (change.Version is null && change.Values is null)
        {
            errors.Add("change", "must name a version, a values patch, or both");
        }
        else if (change.Version is { } version && !VersionConstraint.TryParse(version, out _, out var versionError))
        {
            errors.Add("change.version", $"is not a valid version constraint: {versionError}");
        }

        var waves = request.Strategy?.Waves is { Count: > 0 } given ? given : [new RolloutWaveSpec { Percent = 100 }];
        if (waves.Count > MaxWaves)
        {
            errors.Add("strategy.waves", $"must be at most {MaxWaves} waves");
        }

        var lastPercent = 0;
        for (var i = 0; i < Math.Min(waves.Count, MaxWaves); i++)
        {
            var wave = waves[i];
            var field = $"strategy.waves[{i}]";
            if ((wave.Tenants is null) == (wave.Percent is null))
            {
                errors.Add(field, "must give either tenants (a list) or percent (1-100)");
            }
            else if (wave.Percent is { } percent && (percent is < 1 or > 100 || percent < lastPercent))
            {
                errors.Add($"{field}.percent", $"must be 1-100 and not below the wave before ({lastPercent})");
            }
            else if (wave.Tenants is { } tenants)
            {
                CheckNames(tenants, $"{field}.tenants", errors);
                if (tenants.Count == 0)
                {
                    errors.Add($"{field}.tenants", "must name at least one tenant");
                }
            }

            lastPercent = wave.Percent ?? lastPercent;
        }

        var gate = request.Strategy?.Gate ?? new RolloutGate();
        var phase = gate.Phase is null ? DeploymentPhase.Ready : DeploymentPhase.Parse(gate.Phase);
        if (phase is not (DeploymentPhase.Ready or DeploymentPhase.Committed))
        {
            errors.Add("strategy.gate.phase", $"must be {DeploymentPhase.Ready} (the engines report every changed instance Ready) or {DeploymentPhase.Committed} (the commit alone)");
        }

        var timeout = gate.Timeout is null ? DefaultTimeout : WaitRequest.ParseDuration(gate.Timeout) ?? TimeSpan.Zero;
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            errors.Add("strategy.gate.timeout", $"must be a duration such as 600s or 10m, at most {MaxTimeout.TotalMinutes:0}m");
        }

        if (gate.FailureThreshold is < 0)
        {
            errors.Add("strategy.gate.failureThreshold", "must be 0 or more: how many instances of a wave may fail before the rollout pauses");
        }

        if (request.Strategy?.Window is { } window)
        {
            foreach (var (field, value) in new[] { ("start", window.Start), ("end", window.End) })
            {
                if (RolloutWindow.TryParse(value) is null)
                {
                    errors.Add($"strategy.window.{field}", "must be a UTC time of day as HH:mm, e.g. 22:00");
                }
            }

            if (window.Start == window.End && RolloutWindow.TryParse(window.Start) is not null)
            {
                errors.Add("strategy.window", "must not start and end at the same time; leave it out to allow any time");
            }
        }

        errors.ThrowIfAny();
        return new RolloutSpec(request.Offering!, selector, change, waves, phase!, timeout, gate.FailureThreshold ?? 0, request.Force, request.Strategy?.Window);
    }

    private static void CheckNames(IReadOnlyList<string>? names, string field, ValidationErrors errors)
    {
        if (names is null)
        {
            return;
        }

        if (names.Count > MaxListed)
        {
            errors.Add(field, $"must list at most {MaxListed} names");
            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (!ResourceName.IsDns1123Label(names[i]))
            {
                errors.Add($"{field}[{i}]", "must be a DNS-1123 label");
            }
        }
    }
}
