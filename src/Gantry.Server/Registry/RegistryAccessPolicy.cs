using Gantry.Core.Identity;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Registry;

/// <summary>
/// What a principal may do in the registry: push and pull in its own <c>&lt;user&gt;-local/</c> namespace, pull in
/// repositories outside every <c>-local</c> namespace when the settings allow it, nothing else. Actions asked for and
/// not allowed are left out of the grant, as the token spec says (docs/spec/auth/token.md "Requesting a Token").
/// </summary>
public sealed class RegistryAccessPolicy(IOptions<RegistryOptions> options)
{
    private static readonly string[] OwnActions = ["pull", "push"];

    /// <summary>The user's own namespace, or null when the principal has none (an API key, a name that is no repository path).</summary>
    public string? OwnNamespace(Principal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.Kind == PrincipalKind.User && IsPathComponent(principal.Name) ? options.Value.LocalNamespaceOf(principal.Name) : null;
    }

    /// <summary>The scopes with only the actions granted; a scope left with none is dropped.</summary>
    public IReadOnlyList<RegistryScope> Grant(Principal principal, IEnumerable<RegistryScope> requested)
    {
        var own = OwnNamespace(principal);
        var granted = new List<RegistryScope>();
        foreach (var scope in requested)
        {
            if (scope.Type != "repository")
            {
                continue;
            }

            var allowed = own is not null && scope.Name.StartsWith(own + "/", StringComparison.Ordinal)
                ? OwnActions
                : !IsLocal(scope.Name) && options.Value.TokenServer.PullOutsideLocal ? ["pull"] : [];
            var actions = scope.Actions.Where(allowed.Contains).Distinct(StringComparer.Ordinal).ToArray();
            if (actions.Length > 0)
            {
                granted.Add(scope with { Actions = actions });
            }
        }

        return granted;
    }

    /// <summary>Whether a repository lies in some user's <c>-local</c> namespace.</summary>
    public bool IsLocal(string repository) =>
        repository.Split('/')[0].EndsWith(options.Value.LocalSuffix, StringComparison.Ordinal);

    // distribution reference grammar: a path component is [a-z0-9]+ with single . _ __ or -+ separators; the simple check suffices here.
    private static bool IsPathComponent(string name) =>
        name.Length is > 0 and <= 64 && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.')
        && char.IsAsciiLetterOrDigit(name[^1]);
}
