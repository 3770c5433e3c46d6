using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gantry.Core.Validation;
using Gantry.Core.Yaml;

namespace Gantry.Core.Catalog;

/// <summary>
/// Reads one offering file (YAML). Unknown fields are errors, not silently ignored, and every problem found is
/// reported at once as <c>file: field: message</c>.
/// </summary>
public static class OfferingParser
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    public static Offering Parse(string yaml, string source)
    {
        var problems = new List<string>();
        OfferingDocument? document = null;
        try
        {
            document = YamlJson.Parse(yaml)?.Deserialize<OfferingDocument>(Options);
        }
        catch (YamlReadException e)
        {
            problems.Add($"{source}: {e.Message}");
        }
        catch (JsonException e)
        {
            problems.Add($"{source}: {FieldOf(e.Path)}: {FirstSentence(e.Message)}");
        }

        if (problems.Count == 0 && document is null)
        {
            problems.Add($"{source}: the file is empty.");
        }

        if (problems.Count > 0 || document is null)
        {
            throw new CatalogException(problems);
        }

        var offering = Build(document, source, problems);
        if (problems.Count > 0 || offering is null)
        {
            throw new CatalogException(problems);
        }

        return offering;
    }

    private static Offering? Build(OfferingDocument d, string source, List<string> problems)
    {
        void Problem(string field, string message) => problems.Add($"{source}: {field}: {message}");

        if (!ResourceName.IsDns1123Label(d.Name))
        {
            Problem("name", "is required and must be a DNS-1123 label (lower-case letters, digits, '-')");
        }

        if (d.Engine is null)
        {
            Problem("engine", "is required: flux or argocd");
        }

        ValidateChart(d.Chart, Problem);

        var pattern = d.Namespace ?? Offering.DefaultNamespacePattern;
        var sample = pattern.Replace("{offering}", "o", StringComparison.Ordinal).Replace("{tenant}", "t", StringComparison.Ordinal)
            .Replace("{instance}", "i", StringComparison.Ordinal);
        if (!ResourceName.IsDns1123Label(sample) || !pattern.Contains("{tenant}", StringComparison.Ordinal))
        {
            Problem("namespace", "must contain {tenant}, and only {offering}, {tenant}, {instance}, lower-case letters, digits and '-'");
        }

        OfferingSchema? schema = null;
        if (d.Schema is null || d.Schema["type"]?.GetValue<string>() != "object")
        {
            Problem("schema", "is required and must be a JSON Schema with type: object");
        }
        else
        {
            try
            {
                schema = OfferingSchema.Compile(d.Schema);
            }
            catch (Exception e) when (e is ArgumentException or JsonException or InvalidOperationException or Newtonsoft.Json.JsonException)
            {
                Problem("schema", e.Message);
            }
        }

        var defaults = d.Defaults ?? [];
        var fixedValues = d.Fixed ?? [];
        if (schema is not null)
        {
            foreach (var (field, message) in schema.Validate(defaults, "defaults", partial: true))
            {
                Problem(field, message);
            }

            if (d.ReplicasPath is { } replicas && !schema.DeclaresInteger(replicas))
            {
                Problem("replicasPath", $"'{replicas}' must be an integer property of the schema");
            }
        }

        var secrets = d.Secrets ?? [];
        foreach (var (secret, index) in secrets.Select((s, i) => (s, i)))
        {
            if (string.IsNullOrWhiteSpace(secret.Name) || !ResourceName.IsDns1123Label(secret.Name.ToLowerInvariant()))
            {
                Problem($"secrets[{index}].name", "is required: letters, digits and '-'");
            }

            if (string.IsNullOrWhiteSpace(secret.ValuesPath))
            {
                Problem($"secrets[{index}].valuesPath", "is required");
            }
            else if (ValuesPath.Contains(fixedValues, secret.ValuesPath))
            {
                Problem($"secrets[{index}].valuesPath", "is also a fixed value");
            }

            if (secret.SecretKeyRefPath is { } refPath && (string.IsNullOrWhiteSpace(refPath) || ValuesPath.Contains(fixedValues, refPath)))
            {
                Problem($"secrets[{index}].secretKeyRefPath", "must be a dotted values path that is not a fixed value");
            }
            else if (secret.SecretKeyRefPath is null && d.Engine == GitOpsEngine.ArgoCd)
            {
                Problem($"secrets[{index}].secretKeyRefPath",
                    "is required for an argocd offering: the values path where the chart takes {name, key} of an existing Secret (Argo CD cannot pass a value from a Secret)");
            }
        }

        if (secrets.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            Problem("secrets", $"'{duplicate.Key}' is declared twice");
        }

        if (problems.Count > 0 || schema is null || d.Chart is null || d.Engine is null)
        {
            return null;
        }

        return new Offering
        {
            Name = d.Name!,
            Description = d.Description ?? string.Empty,
            Engine = d.Engine.Value,
            Chart = new ChartSource
            {
                Repository = d.Chart.Repository!.TrimEnd('/'),
                Name = d.Chart.Name!,
                Version = d.Chart.Version!,
                Versions = d.Chart.Versions ?? [],
                SchemaFromChart = d.Chart.SchemaFromChart ?? false,
            },
            NamespacePattern = pattern,
            ReplicasPath = d.ReplicasPath,
            Schema = schema,
            Defaults = defaults,
            Fixed = fixedValues,
            Secrets = secrets.Select(s => new OfferingSecret
            {
                Name = s.Name!,
                Description = s.Description,
                Generate = s.Generate,
                ValuesPath = s.ValuesPath!,
                SecretKeyRefPath = s.SecretKeyRefPath,
            }).ToList(),
            UpgradePolicy = d.UpgradePolicy is { } policy
                ? new UpgradePolicy { AllowDowngrade = policy.Downgrade ?? false, MaxStep = policy.MaxStep ?? UpgradeStep.Any }
                : UpgradePolicy.None,
            Source = source,
        };
    }

    private static void ValidateChart(ChartDocument? chart, Action<string, string> problem)
    {
        if (chart is null)
        {
            problem("chart", "is required (repository, name, version)");
            return;
        }

        if (!Uri.TryCreate(chart.Repository, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "oci"))
        {
            problem("chart.repository", "must be an https:// Helm repository URL or an oci:// reference");
        }

        if (string.IsNullOrWhiteSpace(chart.Name) || !ResourceName.IsDns1123Label(chart.Name))
        {
            problem("chart.name", "is required: the chart's name (lower-case letters, digits, '-')");
        }

        if (string.IsNullOrWhiteSpace(chart.Version))
        {
            problem("chart.version", "is required: the version constraint the platform allows, e.g. ^1.0.0 or *");
        }

        if (chart.SchemaFromChart == true && chart.Repository?.StartsWith("oci://", StringComparison.Ordinal) == true)
        {
            problem("chart.schemaFromChart", "is read from Helm repositories (https) only for now, not from OCI registries");
        }
    }

    private static string FieldOf(string? jsonPath) => string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "(document)" : jsonPath.TrimStart('$', '.');

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private sealed record OfferingDocument
    {
        public string? Name { get; init; }

        public string? Description { get; init; }

        public GitOpsEngine? Engine { get; init; }

        public ChartDocument? Chart { get; init; }

        public string? Namespace { get; init; }

        public string? ReplicasPath { get; init; }

        public JsonObject? Schema { get; init; }

        public JsonObject? Defaults { get; init; }

        public JsonObject? Fixed { get; init; }

        public List<SecretDocument>? Secrets { get; init; }

        public UpgradePolicyDocument? UpgradePolicy { get; init; }
    }

    /// <summary><c>upgradePolicy: {downgrade: false, maxStep: minor}</c>; a policy that is given but says nothing refuses downgrades.</summary>
    private sealed record UpgradePolicyDocument
    {
        public bool? Downgrade { get; init; }

        public UpgradeStep? MaxStep { get; init; }
    }

    private sealed record ChartDocument
    {
        public string? Repository { get; init; }

        public string? Name { get; init; }

        public string? Version { get; init; }

        public List<string>? Versions { get; init; }

        public bool? SchemaFromChart { get; init; }
    }

    private sealed record SecretDocument
    {
        public string? Name { get; init; }

        public string? Description { get; init; }

        public bool Generate { get; init; }

        public string? ValuesPath { get; init; }

        public string? SecretKeyRefPath { get; init; }
    }
}
