namespace Gantry.Server.Registry;

/// <summary>
/// One resource scope of a registry token request, <c>type:name:actions</c> (distribution docs/spec/auth/scope.md);
/// the name may itself hold a ':' (a registry host with a port), so the actions are after the last one.
/// </summary>
public sealed record RegistryScope(string Type, string Name, IReadOnlyList<string> Actions)
{
    /// <summary>Every scope of the request's <c>scope</c> parameters, each of which may hold several separated by spaces.</summary>
    public static IReadOnlyList<RegistryScope> ParseAll(IEnumerable<string?> parameters)
    {
        var scopes = new List<RegistryScope>();
        foreach (var text in parameters.SelectMany(p => (p ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            var first = text.IndexOf(':', StringComparison.Ordinal);
            var last = text.LastIndexOf(':');
            if (first <= 0 || last <= first + 1)
            {
                continue; // Not a scope: nothing to grant.
            }

            var actions = text[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            scopes.Add(new RegistryScope(text[..first], text[(first + 1)..last], actions));
        }

        return scopes;
    }

    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";
}
