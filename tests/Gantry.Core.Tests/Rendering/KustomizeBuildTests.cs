using Gantry.Core.Rendering;
using Gantry.Core.Yaml;
using Gantry.Testing;
using YamlDotNet.RepresentationModel;

namespace Gantry.Core.Tests.Rendering;

/// <summary>
/// The rendered tree is built with the real <c>kubectl kustomize</c>, as Flux's kustomize-controller and Argo CD do:
/// every folder a GitOps engine applies must build, and the ConfigMap the generator makes must be the one the
/// HelmRelease references.
/// </summary>
public sealed class KustomizeBuildTests : IDisposable
{
    private readonly TempFolder _tree = new("gantry-render");

    public KustomizeBuildTests() => RenderingFixture.WriteTree(_tree);

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Flux_cluster_index_builds_every_tenant_object()
    {
        var objects = Build("clusters/flux");

        Assert.Contains(objects, o => Kind(o) == "Namespace" && Name(o) == "client1");
        Assert.Contains(objects, o => Kind(o) == "Namespace" && Name(o) == "runner-client1");
        Assert.Contains(objects, o => Kind(o) == "HelmRepository" && Name(o) == "runner");
        var release = Assert.Single(objects, o => Kind(o) == "HelmRelease");
        var configMap = Assert.Single(objects, o => Kind(o) == "ConfigMap");

        // The generated name has a content hash, and kustomize rewrote the HelmRelease's reference to match.
        Assert.StartsWith("runner1-values-", Name(configMap), StringComparison.Ordinal);
        var valuesFrom = (YamlMappingNode)((YamlSequenceNode)Node(release, "spec", "valuesFrom")).Children[0];
        Assert.Equal(Name(configMap), ((YamlScalarNode)valuesFrom["name"]).Value);
        Assert.Equal("client1", ((YamlScalarNode)Node(configMap, "metadata", "namespace")).Value);

        var values = YamlJson.Parse(((YamlScalarNode)Node(configMap, "data", "values.yaml")).Value!)!;
        Assert.Equal("acme", values["organization"]!.GetValue<string>());
        Assert.True(values["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());

        // The secret comes from the SealedSecret beside the HelmRelease (valuesFrom reads its own namespace), untouched
        // by kustomize's name rewriting; the values ConfigMap never holds it.
        var sealedSecret = Assert.Single(objects, o => Kind(o) == "SealedSecret");
        Assert.Equal("client1", ((YamlScalarNode)Node(sealedSecret, "metadata", "namespace")).Value);
        var fromSecret = (YamlMappingNode)((YamlSequenceNode)Node(release, "spec", "valuesFrom")).Children[1];
        Assert.Equal(Name(sealedSecret), ((YamlScalarNode)fromSecret["name"]).Value);
        Assert.Equal("registrationToken", ((YamlScalarNode)fromSecret["targetPath"]).Value);
        Assert.Null(values["registrationToken"]);
    }

    [Fact]
    public void Argo_cd_folder_builds_the_project_applications_and_sealed_secrets()
    {
        var objects = Build(GitOpsLayout.ArgoCdRoot(RenderingFixture.Tenant));

        Assert.Equal(["AppProject", "Application", "SealedSecret"], objects.Select(Kind).Order(StringComparer.Ordinal));
        Assert.All(objects.Where(o => Kind(o) != "SealedSecret"), o => Assert.Equal("argocd", ((YamlScalarNode)Node(o, "metadata", "namespace")).Value));

        // The SealedSecret goes where the chart reads it: the instance's namespace, under the name its values reference.
        var sealedSecret = objects.Single(o => Kind(o) == "SealedSecret");
        Assert.Equal("qdrant-client1", ((YamlScalarNode)Node(sealedSecret, "metadata", "namespace")).Value);
        var application = objects.Single(o => Kind(o) == "Application");
        var reference = Node(application, "spec", "source", "helm", "valuesObject", "apiKey", "valueFrom", "secretKeyRef");
        Assert.Equal(Name(sealedSecret), ((YamlScalarNode)Node((YamlMappingNode)reference, "name")).Value);
    }

    private List<YamlMappingNode> Build(string folder)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(RenderingFixture.Kustomize(_tree.Combine(folder))));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlNode Node(YamlMappingNode node, params string[] path) =>
        path.Aggregate((YamlNode)node, (current, key) => ((YamlMappingNode)current)[key]);

    private static string Kind(YamlMappingNode node) => ((YamlScalarNode)node["kind"]).Value!;

    private static string Name(YamlMappingNode node) => ((YamlScalarNode)Node(node, "metadata", "name")).Value!;
}
