namespace Gantry.Testing.Engines;

/// <summary>
/// A Flux event as notification-controller forwards it (fluxcd/pkg apis/event/v1beta1 Event). Written by
/// <see cref="TestGitOpsEngine.FluxEventBody"/> exactly as Go's json.Marshal writes the struct.
/// </summary>
public sealed record FluxEvent
{
    public required FluxObjectReference InvolvedObject { get; init; }

    /// <summary><c>trace</c>, <c>info</c> or <c>error</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>Written as RFC 3339 in UTC, whole seconds (metav1.Time).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    public string Message { get; init; } = string.Empty;

    public required string Reason { get; init; }

    /// <summary>Omitted when null or empty; keys are written sorted, as Go writes a map.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public required string ReportingController { get; init; }

    /// <summary>Omitted when null or empty.</summary>
    public string? ReportingInstance { get; init; }
}

/// <summary>The involved object of a <see cref="FluxEvent"/> (corev1.ObjectReference: every field omitted when empty).</summary>
public sealed record FluxObjectReference
{
    public string? Kind { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public string? Uid { get; init; }

    public string? ApiVersion { get; init; }

    public string? ResourceVersion { get; init; }

    public string? FieldPath { get; init; }
}
