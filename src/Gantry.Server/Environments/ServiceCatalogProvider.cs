using Gantry.Core.Environments;
using Gantry.Server.Catalog;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

/// <summary>
/// The services environments are made of, read from the services folder at start. A file that is not valid, a
/// missing dependency or a cycle stops the start with every problem named by file and field.
/// </summary>
public sealed partial class ServiceCatalogProvider(IOptions<EnvironmentOptions> options, ILogger<ServiceCatalogProvider> logger)
{
    /// <summary>Service files larger than this are refused: they are configuration, not data.</summary>
    public const long MaxFileBytes = 256 * 1024;

    public string Folder => Path.GetFullPath(options.Value.ServicesPath);

    public ServiceCatalog Catalog { get; private set; } = ServiceCatalog.Empty;

    /// <summary>Reads every service file; throws <see cref="ServiceCatalogException"/> naming each problem, changing nothing.</summary>
    public void Load()
    {
        if (!Directory.Exists(Folder))
        {
            throw new ServiceCatalogException([$"{Folder}: the services folder does not exist (set Environments:ServicesPath)"]);
        }

        var problems = new List<string>();
        var services = new List<ServiceDefinition>();
        foreach (var (name, text) in YamlFolder.Read(Folder, MaxFileBytes, problems))
        {
            try
            {
                services.Add(ServiceDefinitionParser.Parse(text, name));
            }
            catch (ServiceCatalogException e)
            {
                problems.AddRange(e.Problems);
            }
        }

        // A service's own node pool must exist; whether a type allows it is checked per environment.
        var policies = options.Value.ToPolicies();
        var nodePools = policies.NodePools;
        // A dedicated add-on's release lives in the environment's namespace beside the services: names must not clash.
        var releases = policies.AddOns.SelectMany(a => a.Charts.Select(c => (AddOn: a.Name, Release: c.Name))).ToList();
        problems.AddRange(services.Where(s => releases.Any(r => r.Release == s.Name))
            .Select(s => $"{s.Source}: name: '{s.Name}' is the release name of a chart of the add-on {releases.First(r => r.Release == s.Name).AddOn}"));
        problems.AddRange(services.Where(s => !nodePools.ContainsKey(s.NodePool))
            .Select(s => $"{s.Source}: nodePool: '{s.NodePool}' is not a node pool (Environments:NodePools has {string.Join(", ", nodePools.Keys.Order(StringComparer.Ordinal))})"));
        if (problems.Count > 0)
        {
            throw new ServiceCatalogException(problems);
        }

        Catalog = ServiceCatalog.Create(services);
        Log.Loaded(logger, services.Count, Folder);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3701, Level = LogLevel.Information, Message = "Loaded {Count} environment services from {Folder}")]
        public static partial void Loaded(ILogger logger, int count, string folder);
    }
}
