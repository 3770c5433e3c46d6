using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Environments;
using Gantry.Core.Tests.Rendering;
using Gantry.Core.Yaml;
using Gantry.Testing;

namespace Gantry.Core.Tests.Environments;

/// <summary>
/// The rendered environment against golden files (refresh with <c>GANTRY_UPDATE_GOLDEN=1</c>) and every object
/// against its upstream schema, unknown fields rejected.
/// </summary>
public sealed class EnvironmentRenderingTests
{
    private static readonly string GoldenRoot = InteropFiles.InRepository("tests", "Gantry.Core.Tests", "Environments", "golden");

    private static readonly Dictionary<(string ApiVersion, string Kind), Func<ManifestSchema>> Schemas = new()
    {
        [("helm.toolkit.fluxcd.io/v2", "HelmRelease")] = () => Crd("helm.toolkit.fluxcd.io_helmreleases.yaml", "v2"),
        [("source.toolkit.fluxcd.io/v1", "HelmRepository")] = () => Crd("source.toolkit.fluxcd.io_helmrepositories.yaml", "v1"),
        [("source.toolkit.fluxcd.io/v1", "GitRepository")] = () => Crd("source.toolkit.fluxcd.io_gitrepositories.yaml", "v1"),
        [("kustomize.toolkit.fluxcd.io/v1", "Kustomization")] = () => Crd("kustomize.toolkit.fluxcd.io_kustomizations.yaml", "v1"),
        [("v1", "Namespace")] = () => ManifestSchema.FromJsonSchemaFile(InteropFiles.PathTo("k8s-schemas", "v1.32.2-standalone-strict", "namespace-v1.json")),
        [("notification.toolkit.fluxcd.io/v1beta3", "Alert")] = () => Crd("notification.toolkit.fluxcd.io_alerts.yaml", "v1beta3"),
        [(EnvironmentClusterRenderer.ApiVersion, EnvironmentClusterRenderer.ClaimKind)] = EnvironmentClusterTests.ClaimSchema,
        [("v1", "ConfigMap")] = () => ManifestSchema.FromJsonSchemaFile(InteropFiles.PathTo("k8s-schemas", "v1.32.2-standalone-strict", "configmap-v1.json")),
    };

    public static TheoryData<string> Examples => ["dev-team1-feature-x", "stage-team1", "sue-jane-hotfix", "prod-team1"];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Rendered_environment_matches_the_golden_files(string example)
    {
        var files = Render(example).ToDictionary(f => f.Key, f => Encoding.UTF8.GetString(f.Value), StringComparer.Ordinal);
        GoldenFiles.AssertMatch(Path.Combine(GoldenRoot, example), files);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_rendered_object_validates_against_its_upstream_schema(string example)
    {
        var failures = new List<string>();
        var kinds = new List<string>();
        foreach (var (path, bytes) in Render(example).Where(f => !f.Key.EndsWith("kustomization.yaml", StringComparison.Ordinal)))
        {
            foreach (var document in Encoding.UTF8.GetString(bytes).Split("---\n").Where(d => d.Trim().Length > 0))
            {
                var o = YamlJson.Parse(document)!.AsObject();
                var key = ((string)o["apiVersion"]!, (string)o["kind"]!);
                kinds.Add(key.Item2);
                failures.AddRange(Schemas.TryGetValue(key, out var schema)
                    ? schema().Validate(o).Select(e => $"{path} {key.Item2}: {e}")
                    : [$"{path}: no schema for {key}"]);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Contains("HelmRelease", kinds);
        Assert.Contains("Namespace", kinds);
        Assert.Contains("ConfigMap", kinds);
    }

    [Fact]
    public void The_type_policy_sets_replicas_and_the_node_pool_sets_placement()
    {
        var dev = Manifest(Render("dev-team1-feature-x"), "services/user-service.yaml");
        var stage = Manifest(Render("stage-team1"), "services/user-service.yaml");
        var stageGateway = Manifest(Render("stage-team1"), "services/api-gateway.yaml");

        Assert.Equal(1L, (long)dev["spec"]!["values"]!["replicaCount"]!);
        Assert.Equal("general-public", (string?)dev["spec"]!["values"]!["nodeSelector"]!["gantry.dev/pool"]);
        Assert.Empty(dev["spec"]!["values"]!["tolerations"]!.AsArray());
        Assert.Equal("team1", (string?)dev["metadata"]!["labels"]!["gantry.dev/pool"]);
        Assert.Equal(2L, (long)stage["spec"]!["values"]!["replicaCount"]!);
        Assert.Equal("memory", (string?)stage["spec"]!["values"]!["tolerations"]![0]!["value"]);
        Assert.Equal("stage-team1", (string?)stage["metadata"]!["namespace"]);
        Assert.Equal("auth-service", (string?)stage["spec"]!["dependsOn"]![0]!["name"]);

        var patch = YamlJson.Parse((string)stageGateway["spec"]!["patches"]![0]!["patch"]!)!.AsArray();
        Assert.Equal(2L, (long)patch.Single(p => (string?)p!["path"] == "/spec/replicas")!["value"]!);
        Assert.Equal("v1.1.0", (string?)stageGateway["spec"]!["images"]![0]!["newTag"]);
        Assert.Equal("general-public", (string?)patch.Single(p => (string?)p!["path"] == "/spec/template/spec/nodeSelector")!["value"]!["gantry.dev/pool"]);
    }

    [Fact]
    public void A_service_on_the_ai_node_pool_tolerates_its_taint_and_requests_a_gpu()
    {
        var claim = EnvironmentFixture.Claim("dev-team1-feature-x") with
        {
            EnvironmentName = "prod-team1-gpu",
            EnvironmentType = "prod",
            Services =
            [
                new EnvironmentService { Name = "user-service", Version = "v1.2.3", ResolvedVersion = "v1.2.3", NodePool = "ai" },
                new EnvironmentService { Name = "api-gateway", Version = "v1.1.0", ResolvedVersion = "v1.1.0", NodePool = "ai" },
                new EnvironmentService { Name = "auth-service", Version = "v2.2.0", ResolvedVersion = "v2.2.0", NodePool = "general-restricted" },
            ],
        };

        var files = EnvironmentRenderer.Render(claim, EnvironmentFixture.Catalog, EnvironmentPolicies.Default);

        var user = Manifest(files, "services/user-service.yaml")["spec"]!["values"]!;
        Assert.Equal("ai", (string?)user["nodeSelector"]!["gantry.dev/pool"]);
        Assert.Equal("ai", (string?)user["tolerations"]![0]!["value"]);
        Assert.Equal("1", (string?)user["resources"]!["limits"]!["nvidia.com/gpu"]);
        var auth = Manifest(files, "services/auth-service.yaml")["spec"]!["values"]!;
        Assert.Equal("general-restricted", (string?)auth["tolerations"]![0]!["value"]);
        Assert.Null(auth["resources"]);
        var gateway = YamlJson.Parse((string)Manifest(files, "services/api-gateway.yaml")["spec"]!["patches"]![0]!["patch"]!)!.AsArray();
        Assert.Equal("1", (string?)gateway.Single(p => (string?)p!["path"] == "/spec/template/spec/containers/0/resources")!["value"]!["limits"]!["nvidia.com/gpu"]);
    }

    [Fact]
    public void The_docker_image_of_a_claim_overrides_the_catalog_image()
    {
        var release = Manifest(Render("sue-jane-hotfix"), "services/user-service.yaml");

        Assert.Equal("registry.example.com/platform/user-service", (string?)release["spec"]!["values"]!["image"]!["repository"]);
        Assert.Equal("user-service-config-1.0.5.tar.gz", (string?)release["spec"]!["values"]!["ansibleArtifact"]);
    }

    private static JsonObject Manifest(IReadOnlyDictionary<string, byte[]> files, string path) =>
        YamlJson.Parse(Encoding.UTF8.GetString(files[path]))!.AsObject();

    // The design's dev example, a stage variant of it with user-service placed on the memory node pool, the sue
    // example and a prod variant of the dev example, planned and resolved against the example catalog's static lists.
    internal static IReadOnlyDictionary<string, byte[]> Render(string example)
    {
        var policies = EnvironmentPolicies.Default;
        var request = example switch
        {
            "stage-team1" => StageExample(),
            "prod-team1" => EnvironmentFixture.Claim("dev-team1-feature-x") with { EnvironmentName = "prod-team1", EnvironmentType = "prod", DeploymentMethod = "git" },
            _ => EnvironmentFixture.Claim(example),
        };
        var errors = new Validation.ValidationErrors();
        var claim = EnvironmentPlanner.WithNodePools(EnvironmentPlanner.WithDeployedServices(request, EnvironmentFixture.Catalog, errors), EnvironmentFixture.Catalog);
        EnvironmentValidator.ValidateNodePools(claim, policies, errors);
        Assert.True(errors.IsEmpty);
        var resolved = EnvironmentPlanner.ResolveAsync(claim, EnvironmentFixture.Catalog, policies.Type(claim.EnvironmentType)!, new EnvironmentFixture.StaticTags())
            .GetAwaiter().GetResult();
        return EnvironmentRenderer.Render(resolved, EnvironmentFixture.Catalog, policies);
    }

    private static EnvironmentClaim StageExample()
    {
        var dev = EnvironmentFixture.Claim("dev-team1-feature-x");
        return dev with
        {
            EnvironmentName = "stage-team1",
            EnvironmentType = "stage",
            Services = [.. dev.Services.Select(s => s.Name == "user-service" ? s with { NodePool = "memory" } : s)],
        };
    }

    private static ManifestSchema Crd(string file, string version) => ManifestSchema.FromCrd(InteropFiles.PathTo("crds", file), version);
}
