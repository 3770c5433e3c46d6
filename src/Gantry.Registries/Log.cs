using Microsoft.Extensions.Logging;

namespace Gantry.Registries;

// Event ids 5100-5199: registries. Never log credentials or tokens.
internal static partial class Log
{
    [LoggerMessage(5100, LogLevel.Debug, "Listing tags of {Registry} repository {Repository}")]
    public static partial void ListingTags(ILogger logger, string registry, string repository);

    [LoggerMessage(5101, LogLevel.Debug, "Listed {Count} tags of {Registry} repository {Repository} in {Pages} pages")]
    public static partial void ListedTags(ILogger logger, string registry, string repository, int count, int pages);

    [LoggerMessage(5102, LogLevel.Debug, "Requesting a registry token from {Realm} for service {Service} scope {Scope}")]
    public static partial void RequestingToken(ILogger logger, string realm, string? service, string? scope);

    [LoggerMessage(5110, LogLevel.Debug, "Reading Helm index {IndexUrl} for chart {Chart}")]
    public static partial void ReadingHelmIndex(ILogger logger, string indexUrl, string chart);

    [LoggerMessage(5120, LogLevel.Warning, "Listing tags of {Source} failed: {Message}")]
    public static partial void ListingFailed(ILogger logger, string source, string message);
}
