namespace Gantry.Core.Catalog;

/// <summary>A catalog file is not valid. Each problem names the file and the field.</summary>
public sealed class CatalogException(IReadOnlyList<string> problems)
    : Exception("The catalog is not valid: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
