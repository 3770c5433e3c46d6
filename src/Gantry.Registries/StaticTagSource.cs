using Gantry.Core.Versions;

namespace Gantry.Registries;

/// <summary>The tags written in the catalog: the embedded default, no network.</summary>
public sealed class StaticTagSource : ITagSource
{
    public Task<IReadOnlyList<string>> ListTagsAsync(TagSourceReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Kind != TagSourceKind.Static)
        {
            throw new ArgumentException($"StaticTagSource cannot read a {reference.Kind} source.", nameof(reference));
        }

        return Task.FromResult(reference.Tags ?? throw new TagSourceException(reference.ToString(), "the static source lists no tags"));
    }
}
