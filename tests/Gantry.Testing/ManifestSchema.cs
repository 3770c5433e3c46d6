using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gantry.Sealing.Manifests;
using NJsonSchema;

namespace Gantry.Testing;

/// <summary>
/// Validates a rendered manifest against an upstream schema: a CRD's <c>openAPIV3Schema</c> (with Kubernetes'
/// structural rules: unknown fields are rejected unless <c>x-kubernetes-preserve-unknown-fields</c>, <c>nullable</c>
/// honoured, apiVersion and kind checked) or a standalone JSON schema such as the Kubernetes ones in
/// <c>shared/interop/k8s-schemas</c>. Loaded schemas are cached per file and version.
/// </summary>
/// <example>
/// <code>
/// var schema = ManifestSchema.FromCrd(InteropFiles.PathTo("crds", "helm.toolkit.fluxcd.io_helmreleases.yaml"), "v2");
/// Assert.Empty(schema.Validate(renderedJsonObject));
/// </code>
/// </example>
public sealed class ManifestSchema
{
    private static readonly ConcurrentDictionary<string, ManifestSchema> Cache = new(StringComparer.Ordinal);

    private readonly JsonSchema _schema;
    private readonly string? _apiVersion;
    private readonly string? _kind;

    private ManifestSchema(JsonSchema schema, string? apiVersion, string? kind)
    {
        _schema = schema;
        _apiVersion = apiVersion;
        _kind = kind;
    }

    /// <summary>The schema of <paramref name="version"/> in the CustomResourceDefinition file at <paramref name="crdPath"/>.</summary>
    public static ManifestSchema FromCrd(string crdPath, string version) =>
        Cache.GetOrAdd($"crd|{crdPath}|{version}", _ => LoadCrd(crdPath, version));

    /// <summary>A JSON schema file (e.g. kubeconform's standalone-strict Kubernetes schemas).</summary>
    public static ManifestSchema FromJsonSchemaFile(string path) =>
        Cache.GetOrAdd($"json|{path}", _ => new ManifestSchema(JsonSchema.FromJsonAsync(File.ReadAllText(path)).GetAwaiter().GetResult(), null, null));

    /// <summary>Every problem found, as "path: kind" lines; empty when the manifest is valid.</summary>
    public IReadOnlyList<string> Validate(JsonNode manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var errors = _schema.Validate(manifest.ToJsonString())
            .Select(e => $"{e.Path}: {e.Kind}{(e.Property is null ? "" : $" ({e.Property})")}")
            .ToList();
        if (_apiVersion is not null && (string?)manifest["apiVersion"] != _apiVersion)
        {
            errors.Add($"#/apiVersion: expected {_apiVersion}");
        }

        if (_kind is not null && (string?)manifest["kind"] != _kind)
        {
            errors.Add($"#/kind: expected {_kind}");
        }

        return errors;
    }

    /// <summary>Reads YAML or JSON text and validates it.</summary>
    public IReadOnlyList<string> Validate(string manifestText) => Validate(ManifestText.Parse(manifestText));

    private static ManifestSchema LoadCrd(string crdPath, string version)
    {
        var crd = ManifestText.Parse(File.ReadAllText(crdPath));
        var spec = crd["spec"]!.AsObject();
        var group = (string)spec["group"]!;
        var kind = (string)spec["names"]!["kind"]!;
        var entry = spec["versions"]!.AsArray().FirstOrDefault(v => (string?)v!["name"] == version)
            ?? throw new ArgumentException($"{Path.GetFileName(crdPath)} has no version {version}", nameof(version));
        var openApi = entry["schema"]!["openAPIV3Schema"]!.DeepClone().AsObject();
        MakeStructural(openApi);
        var schema = JsonSchema.FromJsonAsync(openApi.ToJsonString()).GetAwaiter().GetResult();
        return new ManifestSchema(schema, $"{group}/{version}", kind);
    }

    // Kubernetes prunes (and with strict field validation rejects) fields a structural schema does not name, unless
    // x-kubernetes-preserve-unknown-fields; JSON Schema allows them unless additionalProperties is false.
    // Inside allOf/anyOf/oneOf/not the schema only validates values (Kubernetes' structural rule), so no pruning there.
    private static void MakeStructural(JsonObject schema, bool structural = true)
    {
        if (schema["nullable"] is JsonValue nullable && nullable.GetValue<bool>() && schema["type"] is JsonValue type)
        {
            schema["type"] = new JsonArray((string)type!, "null");
        }

        schema.Remove("nullable");
        var preserve = schema["x-kubernetes-preserve-unknown-fields"] is JsonValue p && p.GetValue<bool>();
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (_, child) in properties)
            {
                Walk(child, structural);
            }

            if (structural && !preserve && schema["additionalProperties"] is null)
            {
                schema["additionalProperties"] = false;
            }
        }

        Walk(schema["items"], structural);
        Walk(schema["additionalProperties"], structural);
        Walk(schema["not"], structural: false);
        foreach (var combinator in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (schema[combinator] is JsonArray options)
            {
                foreach (var option in options)
                {
                    Walk(option, structural: false);
                }
            }
        }
    }

    private static void Walk(JsonNode? node, bool structural)
    {
        if (node is JsonObject child)
        {
            MakeStructural(child, structural);
        }
    }
}
