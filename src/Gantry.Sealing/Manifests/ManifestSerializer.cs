using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Sealing.Manifests;

/// <summary>Output format of a manifest.</summary>
public enum ManifestFormat
{
    Yaml,
    Json,
}

/// <summary>
/// Reads and writes <see cref="KubernetesSecret"/> and <see cref="SealedSecret"/> as Kubernetes manifests
/// (YAML or JSON, see <see cref="ManifestText"/>). Every read failure is a <see cref="SealingException"/>
/// naming the field.
/// </summary>
public static class ManifestSerializer
{
    public static KubernetesSecret ReadSecret(string text) => ReadSecret(ManifestText.Parse(text));

    public static KubernetesSecret ReadSecret(JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(root);
        RequireKind(root, KubernetesSecret.Kind, "v1");
        var data = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in StringMap(root["data"], "data"))
        {
            ValidateDataKey(key, "data");
            try
            {
                data[key] = Convert.FromBase64String(value);
            }
            catch (FormatException ex)
            {
                throw new SealingException($"data.{key} is not valid base64", ex);
            }
        }

        var stringData = StringMap(root["stringData"], "stringData");
        foreach (var key in stringData.Keys)
        {
            ValidateDataKey(key, "stringData");
        }

        return new KubernetesSecret
        {
            Metadata = ReadMetadata(root["metadata"], "metadata") ?? new ObjectMeta(),
            Type = OptionalString(root["type"], "type"),
            Immutable = OptionalBool(root["immutable"], "immutable"),
            Data = data,
            StringData = stringData,
        };
    }

    public static SealedSecret ReadSealedSecret(string text) => ReadSealedSecret(ManifestText.Parse(text));

    public static SealedSecret ReadSealedSecret(JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(root);
        RequireKind(root, SealedSecret.Kind, SealedSecret.ApiVersion);
        var spec = root["spec"] as JsonObject ?? throw new SealingException("spec is missing or not an object");
        if (spec["data"] is not null && spec["encryptedData"] is null)
        {
            throw new SealingException("spec.data (the deprecated whole-Secret format) is not supported; reseal with encryptedData");
        }

        var template = spec["template"] switch
        {
            null => new SecretTemplate(),
            JsonObject t => new SecretTemplate
            {
                Metadata = ReadMetadata(t["metadata"], "spec.template.metadata"),
                Type = OptionalString(t["type"], "spec.template.type"),
                Immutable = OptionalBool(t["immutable"], "spec.template.immutable"),
                Data = t["data"] is null ? null : StringMap(t["data"], "spec.template.data"),
            },
            _ => throw new SealingException("spec.template is not an object"),
        };

        return new SealedSecret
        {
            Metadata = ReadMetadata(root["metadata"], "metadata") ?? new ObjectMeta(),
            EncryptedData = StringMap(spec["encryptedData"], "spec.encryptedData"),
            Template = template,
        };
    }

    public static string Write(SealedSecret sealedSecret, ManifestFormat format) => Write(ToJsonObject(sealedSecret), format);

    public static string Write(KubernetesSecret secret, ManifestFormat format) => Write(ToJsonObject(secret), format);

    /// <summary>The SealedSecret in kubeseal's field order, ready to validate or write.</summary>
    public static JsonObject ToJsonObject(SealedSecret sealedSecret)
    {
        ArgumentNullException.ThrowIfNull(sealedSecret);
        var template = new JsonObject();
        if (sealedSecret.Template.Metadata is { } templateMetadata)
        {
            template["metadata"] = WriteMetadata(templateMetadata);
        }

        AddIfSet(template, "type", sealedSecret.Template.Type);
        if (sealedSecret.Template.Immutable is { } immutable)
        {
            template["immutable"] = immutable;
        }

        if (sealedSecret.Template.Data is { } templateData)
        {
            template["data"] = WriteStringMap(templateData);
        }

        return new JsonObject
        {
            ["apiVersion"] = SealedSecret.ApiVersion,
            ["kind"] = SealedSecret.Kind,
            ["metadata"] = WriteMetadata(sealedSecret.Metadata),
            ["spec"] = new JsonObject
            {
                ["encryptedData"] = WriteStringMap(sealedSecret.EncryptedData),
                ["template"] = template,
            },
        };
    }

    public static JsonObject ToJsonObject(KubernetesSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var root = new JsonObject
        {
            ["apiVersion"] = KubernetesSecret.ApiVersion,
            ["kind"] = KubernetesSecret.Kind,
            ["metadata"] = WriteMetadata(secret.Metadata),
        };
        AddIfSet(root, "type", secret.Type);
        if (secret.Immutable is { } immutable)
        {
            root["immutable"] = immutable;
        }

        if (secret.Data.Count > 0)
        {
            var data = new JsonObject();
            foreach (var (key, value) in secret.Data.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                data[key] = Convert.ToBase64String(value);
            }

            root["data"] = data;
        }

        if (secret.StringData.Count > 0)
        {
            root["stringData"] = WriteStringMap(secret.StringData);
        }

        return root;
    }

    private static string Write(JsonObject root, ManifestFormat format) =>
        format == ManifestFormat.Json ? ManifestText.ToJson(root) : ManifestText.ToYaml(root);

    private static void RequireKind(JsonObject root, string kind, string apiVersion)
    {
        var actualKind = OptionalString(root["kind"], "kind");
        if (actualKind != kind)
        {
            throw new SealingException(actualKind is null ? $"kind is missing; expected {kind}" : $"kind is {actualKind}; expected {kind}");
        }

        var actualVersion = OptionalString(root["apiVersion"], "apiVersion");
        if (actualVersion is not null && actualVersion != apiVersion)
        {
            throw new SealingException($"apiVersion is {actualVersion}; expected {apiVersion}");
        }
    }

    private static ObjectMeta? ReadMetadata(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonObject meta => new ObjectMeta
        {
            Name = OptionalString(meta["name"], $"{field}.name"),
            Namespace = OptionalString(meta["namespace"], $"{field}.namespace"),
            Labels = StringMap(meta["labels"], $"{field}.labels"),
            Annotations = StringMap(meta["annotations"], $"{field}.annotations"),
        },
        _ => throw new SealingException($"{field} is not an object"),
    };

    private static JsonObject WriteMetadata(ObjectMeta meta)
    {
        var result = new JsonObject();
        AddIfSet(result, "name", meta.Name);
        AddIfSet(result, "namespace", meta.Namespace);
        if (meta.Labels.Count > 0)
        {
            result["labels"] = WriteStringMap(meta.Labels);
        }

        if (meta.Annotations.Count > 0)
        {
            result["annotations"] = WriteStringMap(meta.Annotations);
        }

        return result;
    }

    private static SortedDictionary<string, string> StringMap(JsonNode? node, string field)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (node is null)
        {
            return result;
        }

        if (node is not JsonObject map)
        {
            throw new SealingException($"{field} is not a map of strings");
        }

        foreach (var (key, value) in map)
        {
            result[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw new SealingException($"{field}.{key} is not a string");
        }

        return result;
    }

    private static JsonObject WriteStringMap(IReadOnlyDictionary<string, string> map)
    {
        var result = new JsonObject();
        foreach (var (key, value) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            result[key] = value;
        }

        return result;
    }

    private static string? OptionalString(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new SealingException($"{field} is not a string"),
    };

    private static bool? OptionalBool(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new SealingException($"{field} is not a boolean"),
    };

    private static void AddIfSet(JsonObject target, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            target[key] = value;
        }
    }

    // Kubernetes: a Secret key is 1-253 characters of [-._a-zA-Z0-9] (IsConfigMapKey).
    private static void ValidateDataKey(string key, string field)
    {
        var valid = key.Length is > 0 and <= 253
            && key is not "." and not ".."
            && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
        if (!valid)
        {
            throw new SealingException($"{field} has an invalid key '{Truncate(key)}': use 1-253 letters, digits, '-', '_' or '.'");
        }
    }

    private static string Truncate(string value) =>
        value.Length <= 64 ? value.ReplaceLineEndings(" ") : string.Concat(value.AsSpan(0, 64), "...").ReplaceLineEndings(" ");
}
