using Gantry.Core.Identity;

namespace Gantry.Server.Errors;

/// <summary>
/// The policy (or a rule such as "approve someone else's request") refused: answered 403, or 404 when the caller
/// may not know the resource exists. For refusals decided inside a service rather than at the endpoint.
/// </summary>
public sealed class AccessRefusedException(AccessDecision decision, string message) : Exception(message)
{
    public AccessDecision Decision { get; } = decision;
}
