using System.Text.Json;
using System.Text.Json.Serialization;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Core.Yaml;

namespace Gantry.Core.Environments;

/// <summary>
/// Reads one service file (YAML) of the service catalog. Unknown fields are errors, and every problem is reported
/// at once as <c>file: field: message</c>, like offerings.
/// </summary>
public static class ServiceDefinitionParser
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public static ServiceDefinition Parse(string yaml, string source)
    {
        ServiceDocument? document;
        try
        {
            document = YamlJson.Parse(yaml)?.Deserialize<ServiceDocument>(Options);
        }
        catch (YamlReadException e)
        {
            throw new ServiceCatalogException([$"{source}: {e.Message}"]);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "(document)" : e.Path.TrimStart('$', '.');
            throw new ServiceCatalogException([$"{source}: {field}: {e.Message.Split(". ")[0]}"]);
        }

        if (document is null)
        {
            throw new ServiceCatalogException([$"{source}: the file is empty."]);
        }

        var errors = new ValidationErrors();
        ResourceName.Validate(document.Name, "name", errors);
        if ((document.Chart is null) == (document.Kustomize is null))
        {
            errors.Add("chart", "give exactly one of chart (repository, name, version) and kustomize (repository, path)");
        }

        if (document.Chart is { } chart)
        {
            if (!Uri.TryCreate(chart.Repository, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "oci"))
            {
                errors.Add("chart.repository", "must be an https:// Helm repository URL or an oci:// reference");
            }

            ResourceName.Validate(chart.Name, "chart.name", errors);
            if (string.IsNullOrWhiteSpace(chart.Version))
            {
                errors.Add("chart.version", "is required: the chart version Flux installs");
            }
        }

        if (document.Kustomize is { } kustomize)
        {
            if (!Uri.TryCreate(kustomize.Repository, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "ssh"))
            {
                errors.Add("kustomize.repository", "must be the Git repository's https:// or ssh:// URL");
            }

            if (string.IsNullOrWhiteSpace(kustomize.Path))
            {
                errors.Add("kustomize.path", "is required: the folder holding the kustomization");
            }
        }

        if (string.IsNullOrWhiteSpace(document.Image))
        {
            errors.Add("image", "is required: the image whose tag the resolved version sets");
        }

        if (document.Versions is null)
        {
            errors.Add("versions", "is required: kind static (tags), oci (url, repository) or helm (url, chart)");
        }
        else
        {
            document.Versions.Validate("versions", errors);
        }

        var defaultVersion = document.DefaultVersion ?? "*";
        if (!VersionConstraint.TryParse(defaultVersion, out _, out var problem))
        {
            errors.Add("defaultVersion", problem);
        }

        if (document.NodePool is not null)
        {
            ResourceName.Validate(document.NodePool, "nodePool", errors);
        }

        foreach (var (dependency, index) in (document.Dependencies ?? []).Select((d, i) => (d, i)))
        {
            ResourceName.Validate(dependency, $"dependencies[{index}]", errors);
        }

        if (!errors.IsEmpty)
        {
            throw new ServiceCatalogException(errors.ToDictionary().SelectMany(e => e.Value.Select(m => $"{source}: {e.Key}: {m}")).ToList());
        }

        return new ServiceDefinition
        {
            Name = document.Name!,
            Description = document.Description ?? string.Empty,
            Chart = document.Chart is { } c ? new ServiceChart { Repository = c.Repository!.TrimEnd('/'), Name = c.Name!, Version = c.Version! } : null,
            Kustomize = document.Kustomize is { } k
                ? new ServiceKustomize { Repository = k.Repository!, Branch = k.Branch ?? "main", Path = k.Path! }
                : null,
            Image = document.Image!,
            Versions = document.Versions!,
            DefaultVersion = defaultVersion,
            NodePool = document.NodePool ?? EnvironmentPolicies.DefaultNodePool,
            Dependencies = document.Dependencies ?? [],
            Source = source,
        };
    }

    private sealed record ServiceDocument
    {
        public string? Name { get; init; }

        public string? Description { get; init; }

        public ChartDocument? Chart { get; init; }

        public KustomizeDocument? Kustomize { get; init; }

        public string? Image { get; init; }

        public TagSourceReference? Versions { get; init; }

        public string? DefaultVersion { get; init; }

        public string? NodePool { get; init; }

        public List<string>? Dependencies { get; init; }
    }

    private sealed record ChartDocument
    {
        public string? Repository { get; init; }

        public string? Name { get; init; }

        public string? Version { get; init; }
    }

    private sealed record KustomizeDocument
    {
        public string? Repository { get; init; }

        public string? Branch { get; init; }

        public string? Path { get; init; }
    }
}
