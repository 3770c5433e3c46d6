using System.Text.Json.Nodes;

namespace Gantry.Client;

/// <summary>A catalog entry as listed: <c>Version</c> is the chart version constraint the offering allows.</summary>
public sealed record OfferingSummary(string Name, string Description, string Engine, string Chart, string Version);

public sealed record ChartInfo(string Repository, string Name, string Version, IReadOnlyList<string> Versions);

public sealed record OfferingSecret(string Name, string? Description, bool Generated);

/// <summary>One offering with the JSON Schema of the values a tenant may set; <c>Fixed</c> lists the paths the platform sets.</summary>
public sealed record Offering(
    string Name,
    string Description,
    string Engine,
    ChartInfo Chart,
    string NamespacePattern,
    string? ReplicasPath,
    JsonObject Schema,
    JsonObject Defaults,
    IReadOnlyList<string> Fixed,
    IReadOnlyList<OfferingSecret> Secrets);
