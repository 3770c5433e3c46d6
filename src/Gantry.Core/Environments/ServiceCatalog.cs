using System.Collections.Frozen;
using Gantry.Core.Validation;

namespace Gantry.Core.Environments;

/// <summary>
/// The services environments can be made of, with their dependencies. Built only from a set whose dependencies
/// all exist and form no cycle (<see cref="Create"/> names every problem), so the closure of a request is well
/// defined.
/// </summary>
public sealed class ServiceCatalog
{
    private readonly FrozenDictionary<string, ServiceDefinition> _services;

    private ServiceCatalog(FrozenDictionary<string, ServiceDefinition> services) => _services = services;

    public static ServiceCatalog Empty { get; } = new(FrozenDictionary<string, ServiceDefinition>.Empty);

    /// <summary>Every service, by name.</summary>
    public IEnumerable<ServiceDefinition> All => _services.Values.OrderBy(s => s.Name, StringComparer.Ordinal);

    public ServiceDefinition? Find(string name) => _services.GetValueOrDefault(name);

    /// <summary>
    /// A catalog of <paramref name="services"/>; throws <see cref="ServiceCatalogException"/> naming a name given twice,
    /// a dependency on a service that does not exist and every dependency cycle.
    /// </summary>
    public static ServiceCatalog Create(IEnumerable<ServiceDefinition> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var problems = new List<string>();
        var byName = new Dictionary<string, ServiceDefinition>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (!byName.TryAdd(service.Name, service))
            {
                problems.Add($"{service.Source}: name: '{service.Name}' is also defined in {byName[service.Name].Source}");
            }
        }

        foreach (var service in byName.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            problems.AddRange(service.Dependencies.Where(d => !byName.ContainsKey(d))
                .Select(d => $"{service.Source}: dependencies: '{d}' is not a service in the catalog"));
        }

        var catalog = new ServiceCatalog(byName.ToFrozenDictionary(StringComparer.Ordinal));
        if (problems.Count == 0)
        {
            foreach (var service in catalog.All)
            {
                var errors = new ValidationErrors();
                catalog.Closure([service.Name], errors, "dependencies");
                if (!errors.IsEmpty)
                {
                    problems.AddRange(errors.ToDictionary().SelectMany(e => e.Value).Select(m => $"{service.Source}: dependencies: {m}"));
                }
            }
        }

        return problems.Count > 0 ? throw new ServiceCatalogException(problems.Distinct().ToList()) : catalog;
    }

    /// <summary>
    /// The named services plus every service they need, transitively, dependencies before the services that need
    /// them (ties by name). An unknown name, or a cycle, is added to <paramref name="errors"/> under
    /// <paramref name="field"/>, naming the services involved.
    /// </summary>
    public IReadOnlyList<ServiceDefinition> Closure(IEnumerable<string> names, ValidationErrors errors, string field)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(errors);
        var ordered = new List<ServiceDefinition>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            Visit(name, [], null);
        }

        return ordered;

        void Visit(string name, List<string> path, string? neededBy)
        {
            if (done.Contains(name))
            {
                return;
            }

            if (path.Contains(name, StringComparer.Ordinal))
            {
                var cycle = string.Join(" -> ", path.SkipWhile(p => p != name).Append(name));
                if (reported.Add(cycle))
                {
                    errors.Add(field, $"dependency cycle: {cycle}");
                }

                return;
            }

            if (Find(name) is not { } service)
            {
                if (reported.Add(name))
                {
                    errors.Add(field, neededBy is null
                        ? $"unknown service '{name}'; the catalog has: {string.Join(", ", _services.Keys.Order(StringComparer.Ordinal))}"
                        : $"'{neededBy}' depends on unknown service '{name}'");
                }

                return;
            }

            path.Add(name);
            foreach (var dependency in service.Dependencies.Order(StringComparer.Ordinal))
            {
                Visit(dependency, path, name);
            }

            path.RemoveAt(path.Count - 1);
            if (done.Add(name))
            {
                ordered.Add(service);
            }
        }
    }
}

/// <summary>The service catalog's files are not valid; each problem names the file and field.</summary>
public sealed class ServiceCatalogException(IReadOnlyList<string> problems)
    : Exception("The service catalog is not valid: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
