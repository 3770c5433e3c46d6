namespace Gantry.Server.Catalog;

/// <summary>Where the offering files are. Bound from the <c>Catalog</c> section.</summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>A folder of <c>*.yaml</c> offering files; defaults to the shipped examples/catalog copied beside the binary.</summary>
    public string Path { get; set; } = System.IO.Path.Combine(AppContext.BaseDirectory, "catalog");
}
