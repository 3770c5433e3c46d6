using Gantry.Core.Catalog;
using Gantry.Core.Rendering;
using YamlDotNet.RepresentationModel;

namespace Gantry.Core.Tests.Rendering;

public sealed class BootstrapRendererTests
{
    private static readonly BootstrapSource Source = new() { RepositoryUrl = "https://git.example.com/platform/state.git", SecretName = "gantry-git" };

    [Fact]
    public void Flux_bootstrap_is_a_git_repository_and_a_kustomization_over_the_tenant_index()
    {
        var documents = Parse(BootstrapRenderer.Render(GitOpsEngine.Flux, Source));

        Assert.Equal(["GitRepository", "Kustomization"], documents.Select(d => Scalar(d, "kind")));
        Assert.Equal("gantry-git", Scalar(documents[0], "spec", "secretRef", "name"));
        Assert.Equal("./clusters/flux", Scalar(documents[1], "spec", "path"));
    }

    [Fact]
    public void Argo_cd_bootstrap_generates_one_app_of_apps_per_tenant_folder()
    {
        var documents = Parse(BootstrapRenderer.Render(GitOpsEngine.ArgoCd, Source));

        Assert.Equal(["AppProject", "ApplicationSet"], documents.Select(d => Scalar(d, "kind")));
        var generator = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)documents[1]["spec"])["generators"]).Children[0];
        var directories = (YamlSequenceNode)((YamlMappingNode)generator["git"])["directories"];
        Assert.Equal(GitOpsLayout.ArgoCdFolderGlob, ((YamlScalarNode)((YamlMappingNode)directories.Children[0])["path"]).Value);
        Assert.Equal("gantry-platform", Scalar(documents[1], "spec", "template", "spec", "project"));
    }

    private static List<YamlMappingNode> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static string? Scalar(YamlMappingNode node, params string[] path) =>
        ((YamlScalarNode)path.Aggregate((YamlNode)node, (current, key) => ((YamlMappingNode)current)[key])).Value;
}
