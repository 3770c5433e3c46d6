using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Tests.Rendering;
using Gantry.Core.Yaml;
using Gantry.Testing;

namespace Gantry.Core.Tests.Environments;

/// <summary>
/// A cluster per environment where the type says so: the Crossplane claim against the composite resource definition
/// shipped in examples/crossplane, and the Flux Kustomization that bootstraps the environment onto the new cluster.
/// The XRD and Composition examples themselves are checked against Crossplane's own CRDs (Environments/crossplane).
/// </summary>
public sealed class EnvironmentClusterTests
{
    /// <summary>
    /// The claim's schema: the XRD's own, with what Crossplane adds to every claim (apiVersion, kind, metadata,
    /// spec.writeConnectionSecretToRef), written as a CRD so the structural checks of every other schema apply.
    /// </summary>
    public static ManifestSchema ClaimSchema()
    {
        var xrd = YamlJson.Parse(File.ReadAllText(InteropFiles.InRepository("examples", "crossplane", "environmentcluster-xrd.yaml")))!.AsObject();
        var version = xrd["spec"]!["versions"]![0]!.DeepClone().AsObject();
        var schema = version["schema"]!["openAPIV3Schema"]!.AsObject();
        var properties = schema["properties"]!.AsObject();
        properties["apiVersion"] = new JsonObject { ["type"] = "string" };
        properties["kind"] = new JsonObject { ["type"] = "string" };
        properties["metadata"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        properties["spec"]!["properties"]!.AsObject()["writeConnectionSecretToRef"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("name"),
            ["properties"] = new JsonObject { ["name"] = new JsonObject { ["type"] = "string" } },
        };
        var crd = new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["spec"] = new JsonObject
            {
                ["group"] = xrd["spec"]!["group"]!.DeepClone(),
                ["names"] = xrd["spec"]!["claimNames"]!.DeepClone(),
                ["versions"] = new JsonArray(version),
            },
        };
        var path = Path.Combine(Path.GetTempPath(), $"gantry-environmentcluster-claim-{Environment.ProcessId}.json");
        File.WriteAllText(path, crd.ToJsonString());
        return ManifestSchema.FromCrd(path, "v1alpha1");
    }

    [Fact]
    public void A_prod_environment_claims_an_ha_cluster_with_every_node_pool_and_bootstraps_its_folder_onto_it()
    {
        var files = EnvironmentRenderingTests.Render("prod-team1");

        var claim = Document(files, "platform/cluster.yaml");
        var parameters = claim["spec"]!["parameters"]!;
        Assert.Empty(ClaimSchema().Validate(claim));
        Assert.True((bool)parameters["highAvailabilityControlPlane"]!);
        Assert.Equal(6, parameters["nodePools"]!.AsArray().Count);
        Assert.All(parameters["nodePools"]!.AsArray(), p => Assert.Equal(3L, (long)p!["nodes"]!));
        var spot = parameters["nodePools"]!.AsArray().Single(p => (string?)p!["name"] == "spot")!;
        Assert.Equal("spot", (string?)spot["taints"]![0]!["value"]);
        Assert.Equal("prod-team1-kubeconfig", (string?)claim["spec"]!["writeConnectionSecretToRef"]!["name"]);

        var bootstrap = Document(files, "platform/bootstrap.yaml");
        Assert.Empty(ManifestSchema.FromCrd(InteropFiles.PathTo("crds", "kustomize.toolkit.fluxcd.io_kustomizations.yaml"), "v1").Validate(bootstrap));
        Assert.Equal("./environments/team1/prod-team1", (string?)bootstrap["spec"]!["path"]);
        Assert.Equal("GitRepository", (string?)bootstrap["spec"]!["sourceRef"]!["kind"]);
        Assert.Equal("prod-team1-kubeconfig", (string?)bootstrap["spec"]!["kubeConfig"]!["secretRef"]!["name"]);
        // The environment's own kustomization does not pull platform/ onto the environment's cluster.
        Assert.DoesNotContain("platform/", Encoding.UTF8.GetString(files["kustomization.yaml"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_environment_in_the_bucket_claims_two_nodes_per_pool_of_its_type()
    {
        var files = EnvironmentRenderingTests.Render("stage-team1");

        var parameters = Document(files, "platform/cluster.yaml")["spec"]!["parameters"]!;
        Assert.False((bool)parameters["highAvailabilityControlPlane"]!);
        Assert.Equal(["general-public", "general-restricted", "memory"], parameters["nodePools"]!.AsArray().Select(p => (string)p!["name"]!));
        var bootstrap = Document(files, "platform/bootstrap.yaml");
        Assert.Equal("Bucket", (string?)bootstrap["spec"]!["sourceRef"]!["kind"]);
        Assert.Equal("./team1/stage-team1", (string?)bootstrap["spec"]!["path"]);
    }

    [Fact]
    public void Dev_and_sue_environments_share_the_application_cluster()
    {
        Assert.DoesNotContain(EnvironmentRenderingTests.Render("dev-team1-feature-x").Keys, k => k.StartsWith("platform/", StringComparison.Ordinal));
        Assert.DoesNotContain(EnvironmentRenderingTests.Render("sue-jane-hotfix").Keys, k => k.StartsWith("platform/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_platform_folder_builds_with_kubectl_kustomize()
    {
        using var folder = new TempFolder("gantry-env-platform");
        foreach (var (path, content) in EnvironmentRenderingTests.Render("prod-team1").Where(f => f.Key.StartsWith("platform/", StringComparison.Ordinal)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(folder.Combine(path))!);
            File.WriteAllBytes(folder.Combine(path), content);
        }

        var built = RenderingFixture.Kustomize(folder.Combine("platform"));

        Assert.Contains("kind: EnvironmentCluster", built, StringComparison.Ordinal);
        Assert.Contains("kind: Kustomization", built, StringComparison.Ordinal);
    }

    [Fact]
    public void The_crossplane_examples_validate_against_crossplanes_own_crds_and_the_check_bites()
    {
        var xrdSchema = CrossplaneSchema("apiextensions.crossplane.io_compositeresourcedefinitions.yaml");
        var compositionSchema = CrossplaneSchema("apiextensions.crossplane.io_compositions.yaml");
        var xrd = Example("environmentcluster-xrd.yaml");
        var composition = Example("environmentcluster-composition.yaml");

        Assert.Empty(xrdSchema.Validate(xrd));
        Assert.Empty(compositionSchema.Validate(composition));
        Assert.Equal("Pipeline", (string?)composition["spec"]!["mode"]);

        // What the upstream schemas reject: served must be a boolean, mode one of Resources or Pipeline.
        var badXrd = xrd.DeepClone().AsObject();
        badXrd["spec"]!["versions"]![0]!["served"] = "yes";
        Assert.NotEmpty(xrdSchema.Validate(badXrd));
        var badComposition = composition.DeepClone().AsObject();
        badComposition["spec"]!["mode"] = "Bogus";
        Assert.NotEmpty(compositionSchema.Validate(badComposition));
    }

    // Crossplane's CRDs as published upstream (see crossplane/SOURCE.txt for the commit).
    private static ManifestSchema CrossplaneSchema(string file) =>
        ManifestSchema.FromCrd(InteropFiles.InRepository("tests", "Gantry.Core.Tests", "Environments", "crossplane", file), "v1");

    private static JsonObject Example(string file) =>
        YamlJson.Parse(File.ReadAllText(InteropFiles.InRepository("examples", "crossplane", file)))!.AsObject();

    private static JsonObject Document(IReadOnlyDictionary<string, byte[]> files, string path) => YamlJson.Parse(Encoding.UTF8.GetString(files[path]))!.AsObject();
}
