using System.Text.Json.Nodes;

namespace Gantry.Core.Rendering;

/// <summary>Small builders for Kubernetes object skeletons, so the renderers read like the YAML they produce.</summary>
internal static class Manifests
{
    public const string ManagedBy = "gantry";

    public static JsonObject Object(string apiVersion, string kind, string name, string? ns, JsonObject labels, JsonObject? spec = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        metadata["labels"] = labels;
        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
        if (spec is not null)
        {
            result["spec"] = spec;
        }

        return result;
    }

    public static JsonObject Labels(string tenant, string? instance = null, string? offering = null)
    {
        var labels = new JsonObject
        {
            ["app.kubernetes.io/managed-by"] = ManagedBy,
            ["gantry.dev/tenant"] = tenant,
        };
        if (instance is not null)
        {
            labels["gantry.dev/instance"] = instance;
        }

        if (offering is not null)
        {
            labels["gantry.dev/offering"] = offering;
        }

        return labels;
    }

    public static JsonObject Kustomization(IEnumerable<string> resources, JsonObject? extra = null)
    {
        var result = new JsonObject
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = new JsonArray(resources.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
        };
        foreach (var (key, value) in extra ?? [])
        {
            result[key] = value?.DeepClone();
        }

        return result;
    }

    public static JsonArray Array(params JsonNode[] items) => new(items);

    /// <summary>Sets <c>metadata.annotations</c> of <paramref name="manifest"/> (in the order given) and returns it.</summary>
    public static JsonObject Annotate(JsonObject manifest, params (string Key, string Value)[] annotations)
    {
        var metadata = manifest["metadata"]!.AsObject();
        var existing = metadata["annotations"] as JsonObject ?? [];
        foreach (var (key, value) in annotations)
        {
            existing[key] = value;
        }

        metadata["annotations"] = existing;
        return manifest;
    }
}
