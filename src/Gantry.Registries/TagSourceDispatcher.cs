using Gantry.Core.Versions;
using Microsoft.Extensions.Logging;

namespace Gantry.Registries;

/// <summary>The <see cref="ITagSource"/> the application uses: sends each reference to the source of its kind, through the cache.</summary>
public sealed class TagSourceDispatcher(
    OciTagSource oci,
    HelmRepositoryTagSource helm,
    StaticTagSource staticTags,
    TagListCache cache,
    ILogger<TagSourceDispatcher> logger) : ITagSource
{
    public async Task<IReadOnlyList<string>> ListTagsAsync(TagSourceReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ITagSource source = reference.Kind switch
        {
            TagSourceKind.Static => staticTags,
            TagSourceKind.Oci => oci,
            TagSourceKind.Helm => helm,
            _ => throw new ArgumentException($"Unknown tag source kind {reference.Kind}.", nameof(reference)),
        };

        if (reference.Kind == TagSourceKind.Static)
        {
            return await source.ListTagsAsync(reference, cancellationToken);
        }

        try
        {
            var key = $"{reference.Kind}|{reference.Url}|{reference.Repository}|{reference.Chart}";
            return await cache.GetOrAddAsync(key, ct => source.ListTagsAsync(reference, ct), cancellationToken);
        }
        catch (TagSourceException e)
        {
            Log.ListingFailed(logger, e.SourceName, e.Message);
            throw;
        }
    }
}
