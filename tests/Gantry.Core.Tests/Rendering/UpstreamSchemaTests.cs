using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Rendering;
using Gantry.Core.Yaml;
using Gantry.Testing;

namespace Gantry.Core.Tests.Rendering;

/// <summary>
/// Every object Gantry renders validates against the upstream schema of its kind (Flux, Argo CD CRDs and the
/// Kubernetes 1.32 schemas in shared/interop), unknown fields rejected: what the API server would admit.
/// </summary>
public sealed class UpstreamSchemaTests
{
    private static readonly Dictionary<(string ApiVersion, string Kind), Func<ManifestSchema>> Schemas = new()
    {
        [("helm.toolkit.fluxcd.io/v2", "HelmRelease")] = () => Crd("helm.toolkit.fluxcd.io_helmreleases.yaml", "v2"),
        [("source.toolkit.fluxcd.io/v1", "HelmRepository")] = () => Crd("source.toolkit.fluxcd.io_helmrepositories.yaml", "v1"),
        [("source.toolkit.fluxcd.io/v1", "GitRepository")] = () => Crd("source.toolkit.fluxcd.io_gitrepositories.yaml", "v1"),
        [("kustomize.toolkit.fluxcd.io/v1", "Kustomization")] = () => Crd("kustomize.toolkit.fluxcd.io_kustomizations.yaml", "v1"),
        [("argoproj.io/v1alpha1", "Application")] = () => Crd("application-crd.yaml", "v1alpha1"),
        [("argoproj.io/v1alpha1", "AppProject")] = () => Crd("appproject-crd.yaml", "v1alpha1"),
        [("argoproj.io/v1alpha1", "ApplicationSet")] = () => Crd("applicationset-crd.yaml", "v1alpha1"),
        [("bitnami.com/v1alpha1", "SealedSecret")] = () => Crd("bitnami.com_sealedsecrets.yaml", "v1alpha1"),
        [("v1", "Namespace")] = () => Kubernetes("namespace-v1.json"),
        [("v1", "ConfigMap")] = () => Kubernetes("configmap-v1.json"),
    };

    // No schema for these ships in shared/interop; their shape is checked by kubectl kustomize and the golden files.
    private static readonly HashSet<string> WithoutSchema = ["ServiceAccount", "RoleBinding"];

    [Fact]
    public void Every_rendered_tenant_object_validates_against_its_upstream_schema()
    {
        using var tree = new TempFolder("gantry-schema");
        RenderingFixture.WriteTree(tree);

        var objects = Kustomize(tree.Combine("clusters", "flux")).Concat(Kustomize(tree.Combine(GitOpsLayout.ArgoCdRoot(RenderingFixture.Tenant)))).ToList();

        AssertAllValid(objects);
        Assert.Contains(objects, o => (string?)o["kind"] == "HelmRelease");
        Assert.Contains(objects, o => (string?)o["kind"] == "Application");
        Assert.Equal(2, objects.Count(o => (string?)o["kind"] == "SealedSecret")); // one per instance, Flux and Argo CD
    }

    [Theory]
    [InlineData(GitOpsEngine.Flux)]
    [InlineData(GitOpsEngine.ArgoCd)]
    public void Bootstrap_manifests_validate_against_their_upstream_schemas(GitOpsEngine engine)
    {
        var yaml = BootstrapRenderer.Render(engine, new BootstrapSource { RepositoryUrl = "https://git.example.com/state.git", SecretName = "creds" });

        AssertAllValid(yaml.Split("---\n").Select(d => YamlJson.Parse(d)!.AsObject()).ToList());
    }

    [Fact]
    public void The_check_rejects_an_unknown_field_and_a_wrong_type()
    {
        var release = YamlJson.Parse(System.Text.Encoding.UTF8.GetString(TenantRenderer.Render(RenderingFixture.Tenant, RenderingFixture.Instances)
            .Single(f => f.Key.EndsWith("helmrelease.yaml", StringComparison.Ordinal)).Value))!.AsObject();
        var schema = Crd("helm.toolkit.fluxcd.io_helmreleases.yaml", "v2");
        Assert.Empty(schema.Validate(release));

        release["spec"]!["valuesFile"] = "evil.yaml";
        release["spec"]!["interval"] = 10;
        Assert.Equal(2, schema.Validate(release).Count);
    }

    private static void AssertAllValid(IReadOnlyList<JsonObject> objects)
    {
        var failures = new List<string>();
        foreach (var o in objects)
        {
            var key = ((string)o["apiVersion"]!, (string)o["kind"]!);
            if (WithoutSchema.Contains(key.Item2))
            {
                continue;
            }

            if (!Schemas.TryGetValue(key, out var schema))
            {
                failures.Add($"{key}: no upstream schema is mapped for this kind");
                continue;
            }

            failures.AddRange(schema().Validate(o).Select(e => $"{key.Item2} {o["metadata"]?["name"]}: {e}"));
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static List<JsonObject> Kustomize(string folder)
    {
        return RenderingFixture.Kustomize(folder).Split("---\n").Where(d => d.Trim().Length > 0).Select(d => YamlJson.Parse(d)!.AsObject()).ToList();
    }

    private static ManifestSchema Crd(string file, string version) => ManifestSchema.FromCrd(InteropFiles.PathTo("crds", file), version);

    private static ManifestSchema Kubernetes(string file) =>
        ManifestSchema.FromJsonSchemaFile(InteropFiles.PathTo("k8s-schemas", "v1.32.2-standalone-strict", file));
}
