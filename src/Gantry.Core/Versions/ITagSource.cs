namespace Gantry.Core.Versions;

/// <summary>Port: lists the tags a reference points at (an OCI registry, a Helm repository, a static list).</summary>
public interface ITagSource
{
    /// <summary>
    /// Every tag of the reference, in the source's order. Throws <see cref="TagSourceException"/> when the source
    /// cannot be read; the message names the registry and repository, never credentials.
    /// </summary>
    Task<IReadOnlyList<string>> ListTagsAsync(TagSourceReference reference, CancellationToken cancellationToken = default);
}

/// <summary>A tag source could not be read: unreachable, refused, not found, too large or malformed.</summary>
public sealed class TagSourceException(string sourceName, string message, Exception? innerException = null)
    : Exception($"{sourceName}: {message}", innerException)
{
    /// <summary>Names the registry and repository (or Helm repository and chart) that failed.</summary>
    public string SourceName { get; } = sourceName;

    /// <summary>The HTTP status the source answered with, when it answered.</summary>
    public int? StatusCode { get; init; }
}
