using System.Text.Json.Nodes;

namespace Gantry.Core.Instances;

/// <summary>What a tenant asks for: an offering, an optional version constraint, and values.</summary>
public sealed record InstanceRequest
{
    public string? Offering { get; init; }

    /// <summary>A version constraint within the offering's; null means the offering's own.</summary>
    public string? Version { get; init; }

    public JsonObject? Values { get; init; }

    /// <summary>
    /// Write-only values of the offering's tenant-supplied secrets, by secret name. They are sealed at once and never
    /// stored, logged or returned; a secret left out keeps its sealed value from before.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? Secrets { get; init; }

    /// <summary>Take a lower chart version although the offering's upgrade policy refuses downgrades; platform admins only.</summary>
    public bool Force { get; init; }
}

/// <summary>
/// An accepted instance: stored as <c>instance.yaml</c> beside its rendered files so Git alone can rebuild Gantry's
/// index. <see cref="Values"/> are the tenant's own values; defaults and fixed values are applied when rendering.
/// </summary>
public sealed record InstanceClaim
{
    public const string ApiVersion = "gantry.dev/v1alpha1";
    public const string Kind = "Instance";

    public required string Tenant { get; init; }

    public required string Name { get; init; }

    public required string Offering { get; init; }

    /// <summary>The constraint asked for (or the offering's), kept so a refresh can re-resolve it.</summary>
    public required string Version { get; init; }

    /// <summary>The exact chart version the constraint resolved to.</summary>
    public required string ChartVersion { get; init; }

    public required string Namespace { get; init; }

    public JsonObject Values { get; init; } = [];

    /// <summary>
    /// The instance's secrets, sealed (Sealed Secrets ciphertext, by secret name): only the tenant's controller can
    /// open them, so they may live in Git. Kept in the claim so a change that does not touch a secret renders the
    /// same sealed value again (it cannot be sealed anew: Gantry does not hold the plaintext).
    /// </summary>
    public IReadOnlyDictionary<string, string> SealedSecrets { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Counts the changes to this claim (1 for the first), like a Kubernetes object's <c>metadata.generation</c>. The
    /// rendered objects carry it, so an engine's event says which change it reports on; a commit's own id cannot be
    /// written into the commit. Not part of <see cref="IsSameAs"/>: it says when, not what.
    /// </summary>
    public long Generation { get; init; }

    /// <summary>Whether <paramref name="other"/> claims exactly the same (values compared as JSON, not by reference).</summary>
    public bool IsSameAs(InstanceClaim? other) =>
        other is not null
        && (Tenant, Name, Offering, Version, ChartVersion, Namespace) == (other.Tenant, other.Name, other.Offering, other.Version, other.ChartVersion, other.Namespace)
        && SealedSecrets.Count == other.SealedSecrets.Count
        && SealedSecrets.All(s => other.SealedSecrets.TryGetValue(s.Key, out var value) && value == s.Value)
        && JsonNode.DeepEquals(Values, other.Values);

    public JsonObject ToDocument()
    {
        var spec = new JsonObject
        {
            ["offering"] = Offering,
            ["version"] = Version,
            ["values"] = Values.DeepClone(),
        };
        if (SealedSecrets.Count > 0)
        {
            spec["sealedSecrets"] = SealedSecretsObject();
        }

        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = Kind,
            ["metadata"] = new JsonObject { ["name"] = Name, ["tenant"] = Tenant },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["chartVersion"] = ChartVersion, ["namespace"] = Namespace, ["generation"] = Generation },
        };
    }

    /// <summary>The sealed values as a JSON object ordered by name, as <c>spec.encryptedData</c> wants them.</summary>
    public JsonObject SealedSecretsObject() =>
        new(SealedSecrets.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)JsonValue.Create(s.Value))));

    /// <summary>Reads a claim back from its document; null when the document is not an instance claim.</summary>
    public static InstanceClaim? FromDocument(JsonNode? document)
    {
        if (document is not JsonObject root || root["kind"]?.GetValue<string>() != Kind || root["apiVersion"]?.GetValue<string>() != ApiVersion)
        {
            return null;
        }

        var metadata = root["metadata"] as JsonObject;
        var spec = root["spec"] as JsonObject;
        var status = root["status"] as JsonObject;
        string? Text(JsonObject? obj, string key) => obj?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var (name, tenant, offering, version, chartVersion, ns) =
            (Text(metadata, "name"), Text(metadata, "tenant"), Text(spec, "offering"), Text(spec, "version"), Text(status, "chartVersion"), Text(status, "namespace"));
        if (name is null || tenant is null || offering is null || version is null || chartVersion is null || ns is null)
        {
            return null;
        }

        return new InstanceClaim
        {
            Tenant = tenant,
            Name = name,
            Offering = offering,
            Version = version,
            ChartVersion = chartVersion,
            Namespace = ns,
            Values = spec?["values"] as JsonObject is { } values ? values.DeepClone().AsObject() : [],
            SealedSecrets = ReadSealedSecrets(spec?["sealedSecrets"] as JsonObject),
            Generation = ReadGeneration(status?["generation"]),
        };
    }

    // Claims written before generations were counted have none: they read as 0, and their next change is 1.
    private static long ReadGeneration(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var number) => Math.Max(0, number),
        JsonValue v when v.TryGetValue<string>(out var text) && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => 0,
    };

    private static SortedDictionary<string, string> ReadSealedSecrets(JsonObject? sealedSecrets)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in sealedSecrets ?? [])
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var text))
            {
                result[name] = text;
            }
        }

        return result;
    }

    /// <summary>The values the chart receives: offering defaults, then the tenant's values, then the platform's fixed values.</summary>
    public JsonObject ChartValues(Catalog.Offering offering) => Catalog.ValuesPath.Merge(offering.Defaults, Values, offering.Fixed);
}
