namespace Gantry.Server.Environments;

/// <summary>No environment of that name (or none the caller may see): 404.</summary>
public sealed class EnvironmentNotFoundException(string name) : Exception($"There is no environment '{name}'.");

/// <summary>
/// The environment cannot be changed this way: it exists already, it is static (changed only through a change
/// request, whose creation <see cref="ChangeRequestLink"/> points at), or the operation does not apply: 409.
/// </summary>
public sealed class EnvironmentConflictException(string message, string? changeRequestLink = null) : Exception(message)
{
    public string? ChangeRequestLink { get; } = changeRequestLink;
}
