using System.Collections.Frozen;
using Gantry.Core.Catalog;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Catalog;

/// <summary>
/// The offerings tenants can deploy, read from the catalog folder at start. A file that is not valid stops the
/// start (or a reload) with every problem named by file and field; a reload that fails keeps the catalog it had.
/// </summary>
public sealed partial class OfferingCatalog(IOptions<CatalogOptions> options, ILogger<OfferingCatalog> logger)
{
    /// <summary>Offering files larger than this are refused: they are configuration, not data.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    private FrozenDictionary<string, Offering> _offerings = FrozenDictionary<string, Offering>.Empty;

    public string Folder => Path.GetFullPath(options.Value.Path);

    public IReadOnlyCollection<Offering> All => _offerings.Values;

    public Offering? Find(string name) => _offerings.GetValueOrDefault(name);

    /// <summary>Reads every offering file; throws <see cref="CatalogException"/> naming each problem, changing nothing.</summary>
    public void Load()
    {
        if (!Directory.Exists(Folder))
        {
            throw new CatalogException([$"{Folder}: the catalog folder does not exist (set Catalog:Path)"]);
        }

        var problems = new List<string>();
        var offerings = new Dictionary<string, Offering>(StringComparer.Ordinal);
        foreach (var (name, text) in YamlFolder.Read(Folder, MaxFileBytes, problems))
        {
            try
            {
                var offering = OfferingParser.Parse(text, name);
                if (!offerings.TryAdd(offering.Name, offering))
                {
                    problems.Add($"{name}: name: '{offering.Name}' is also defined in {offerings[offering.Name].Source}");
                }
            }
            catch (CatalogException e)
            {
                problems.AddRange(e.Problems);
            }
        }

        if (problems.Count > 0)
        {
            throw new CatalogException(problems);
        }

        _offerings = offerings.ToFrozenDictionary(StringComparer.Ordinal);
        Log.Loaded(logger, offerings.Count, Folder);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Loaded {Count} offerings from {Folder}")]
        public static partial void Loaded(ILogger logger, int count, string folder);
    }
}
