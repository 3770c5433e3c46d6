using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace Gantry.Server.Environments;

/// <summary>A claim in the environments bucket that could not be applied: where it is and why.</summary>
public sealed record InvalidBucketClaim(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("environment_pool")] string Pool,
    [property: JsonPropertyName("environment_name")] string Name,
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons,
    [property: JsonPropertyName("seen_at")] DateTimeOffset SeenAt);

/// <summary>
/// The claims put into the bucket without the API that are bad now (invalid JSON, a rule broken, a name taken), by
/// key. The previous good state of such an environment stays deployed; the list of environments and <c>/hc</c> show them.
/// </summary>
public sealed class BucketClaimProblems
{
    public const string InvalidPhase = "Invalid";

    /// <summary>A foreign write to the static-environments bucket: reported, never acted on.</summary>
    public const string AlertPhase = "Alert";

    private readonly ConcurrentDictionary<string, InvalidBucketClaim> _problems = new(StringComparer.Ordinal);

    public int Count => _problems.Count;

    public void Report(string key, string pool, string name, IReadOnlyList<string> reasons, DateTimeOffset at, string phase = InvalidPhase) =>
        _problems[key] = new InvalidBucketClaim(key, pool, name, phase, reasons, at);

    public void Clear(string key) => _problems.TryRemove(key, out _);

    /// <summary>The problems of the given pools (all when null), by key.</summary>
    public IReadOnlyList<InvalidBucketClaim> Of(IReadOnlyCollection<string>? pools) =>
        [.. _problems.Values.Where(p => pools is null || pools.Contains(p.Pool)).OrderBy(p => p.Key, StringComparer.Ordinal)];
}
