using Gantry.Core.Environments;
using Gantry.Core.Validation;
using Gantry.Core.Versions;

namespace Gantry.Core.Tests.Environments;

public sealed class ServiceCatalogTests
{
    [Fact]
    public void The_example_catalog_has_the_design_services_and_their_versions()
    {
        var catalog = EnvironmentFixture.Catalog;

        Assert.Equal(["api-gateway", "auth-service", "user-service"], catalog.All.Select(s => s.Name));
        Assert.Contains("v1.2.3", catalog.Find("user-service")!.Versions.Tags!);
        Assert.Contains("v2.1.0", catalog.Find("auth-service")!.Versions.Tags!);
        Assert.Contains("v1.0.5", catalog.Find("api-gateway")!.Versions.Tags!);
        Assert.NotNull(catalog.Find("api-gateway")!.Kustomize);
        Assert.NotNull(catalog.Find("user-service")!.Chart);
    }

    [Fact]
    public void A_service_declares_its_node_pool_and_general_public_is_the_default()
    {
        const string yaml = """
            name: vector-search
            chart: {repository: https://charts.example.com/platform, name: microservice, version: 1.4.0}
            image: registry.example.com/platform/vector-search
            versions: {kind: static, tags: [v1.0.0]}
            nodePool: memory
            """;

        Assert.Equal("memory", ServiceDefinitionParser.Parse(yaml, "vector-search.yaml").NodePool);
        Assert.Equal("general-public", EnvironmentFixture.Catalog.Find("user-service")!.NodePool);
        var bad = Assert.Throws<ServiceCatalogException>(() => ServiceDefinitionParser.Parse(yaml.Replace("nodePool: memory", "nodePool: Not_A_Pool", StringComparison.Ordinal), "x.yaml"));
        Assert.Contains(bad.Problems, p => p.StartsWith("x.yaml: nodePool:", StringComparison.Ordinal));
    }

    [Fact]
    public void Closure_adds_dependencies_before_the_services_that_need_them()
    {
        var errors = new ValidationErrors();

        var closure = EnvironmentFixture.Catalog.Closure(["api-gateway"], errors, "services");

        Assert.True(errors.IsEmpty);
        Assert.Equal(["auth-service", "user-service", "api-gateway"], closure.Select(s => s.Name));
    }

    [Fact]
    public void Closure_of_a_leaf_is_the_leaf()
    {
        var errors = new ValidationErrors();

        Assert.Equal(["auth-service"], EnvironmentFixture.Catalog.Closure(["auth-service"], errors, "services").Select(s => s.Name));
    }

    [Fact]
    public void Closure_names_an_unknown_service()
    {
        var errors = new ValidationErrors();

        EnvironmentFixture.Catalog.Closure(["billing"], errors, "services");

        Assert.Contains("unknown service 'billing'", Assert.Single(errors.ToDictionary()["services"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_with_a_cycle_is_refused_naming_the_cycle()
    {
        var e = Assert.Throws<ServiceCatalogException>(() => ServiceCatalog.Create([Service("a", "b"), Service("b", "c"), Service("c", "a"), Service("d")]));

        Assert.Contains(e.Problems, p => p.Contains("a -> b -> c -> a", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Problems, p => p.Contains("d.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void A_catalog_with_a_missing_dependency_is_refused_naming_it()
    {
        var e = Assert.Throws<ServiceCatalogException>(() => ServiceCatalog.Create([Service("a", "ghost")]));

        Assert.Equal("a.yaml: dependencies: 'ghost' is not a service in the catalog", Assert.Single(e.Problems));
    }

    [Fact]
    public void A_service_file_with_every_problem_names_them_all()
    {
        const string yaml = """
            name: Bad_Name
            chart: {repository: ftp://x, name: c, version: 1.0.0}
            kustomize: {repository: https://git.example.com/r.git, path: ./x}
            versions: {kind: helm}
            defaultVersion: "^^"
            """;

        var e = Assert.Throws<ServiceCatalogException>(() => ServiceDefinitionParser.Parse(yaml, "bad.yaml"));

        foreach (var field in new[] { "name", "chart", "chart.repository", "image", "versions.url", "versions.chart", "defaultVersion" })
        {
            Assert.Contains(e.Problems, p => p.StartsWith($"bad.yaml: {field}: ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("{kind: oci, url: https://registry.example.com, repository: platform/user-service}", TagSourceKind.Oci)]
    [InlineData("{kind: oci, url: \"oci://registry.example.com/platform/user-service\"}", TagSourceKind.Oci)]
    [InlineData("{kind: helm, url: https://charts.example.com/platform, chart: user-service}", TagSourceKind.Helm)]
    public void Versions_may_come_from_a_registry_or_a_helm_repository(string versions, TagSourceKind kind)
    {
        var yaml = $"name: s\nimage: registry.example.com/s\nchart: {{repository: https://c.example.com, name: c, version: 1.0.0}}\nversions: {versions}\n";

        var service = ServiceDefinitionParser.Parse(yaml, "s.yaml");

        Assert.Equal(kind, service.Versions.Kind);
        Assert.Empty(service.Dependencies);
        Assert.Equal("*", service.DefaultVersion);
    }

    [Fact]
    public void A_service_file_with_an_unknown_field_is_refused()
    {
        const string yaml = "name: a\nimage: x\nversions: {kind: static, tags: [v1]}\nchart: {repository: https://c, name: c, version: 1.0.0}\nreplicas: 3\n";

        var e = Assert.Throws<ServiceCatalogException>(() => ServiceDefinitionParser.Parse(yaml, "a.yaml"));

        Assert.Contains("replicas", Assert.Single(e.Problems), StringComparison.Ordinal);
    }

    private static ServiceDefinition Service(string name, params string[] dependencies) => new()
    {
        Name = name,
        Image = $"registry.example.com/{name}",
        Chart = new ServiceChart { Repository = "https://charts.example.com", Name = name, Version = "1.0.0" },
        Versions = TagSourceReference.Static("v1.0.0"),
        Dependencies = dependencies,
        Source = $"{name}.yaml",
    };
}
