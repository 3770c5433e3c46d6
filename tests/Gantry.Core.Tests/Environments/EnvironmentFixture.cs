using Gantry.Core.Environments;
using Gantry.Core.Versions;
using Gantry.Testing;

namespace Gantry.Core.Tests.Environments;

/// <summary>The shipped example service catalog and the design's example claims.</summary>
public static class EnvironmentFixture
{
    public static ServiceCatalog Catalog { get; } = ServiceCatalog.Create(
        Directory.EnumerateFiles(InteropFiles.InRepository("examples", "services"), "*.yaml")
            .Order(StringComparer.Ordinal)
            .Select(f => ServiceDefinitionParser.Parse(File.ReadAllText(f), $"examples/services/{Path.GetFileName(f)}")));

    public static string ClaimPath(string name) => InteropFiles.InRepository("tests", "Gantry.Core.Tests", "Environments", "claims", $"{name}.json");

    public static byte[] ClaimBytes(string name) => File.ReadAllBytes(ClaimPath(name));

    public static EnvironmentClaim Claim(string name) => EnvironmentJson.Parse(ClaimBytes(name));

    /// <summary>Tags from the catalog's static lists, as the embedded default reads them.</summary>
    public sealed class StaticTags : ITagSource
    {
        public Task<IReadOnlyList<string>> ListTagsAsync(TagSourceReference reference, CancellationToken cancellationToken = default) =>
            Task.FromResult(reference.Tags ?? throw new TagSourceException("static", "no tags"));
    }
}
