using System.Text;
using Gantry.Core.Rendering;
using Gantry.Testing;

namespace Gantry.Core.Tests.Rendering;

/// <summary>
/// The rendered tree of a tenant, byte for byte, against files kept under tests/Gantry.Core.Tests/Rendering/golden.
/// After an intended change, refresh them with <c>GANTRY_UPDATE_GOLDEN=1 dotnet test</c> and review the diff.
/// </summary>
public sealed class GoldenRenderingTests
{
    private static readonly string GoldenRoot = InteropFiles.InRepository("tests", "Gantry.Core.Tests", "Rendering", "golden");

    [Fact]
    public void Tenant_tree_matches_the_golden_files()
    {
        var files = TenantRenderer.Render(RenderingFixture.Tenant, RenderingFixture.Instances)
            .Concat(TenantRenderer.RenderFluxIndex([RenderingFixture.Tenant]))
            .ToDictionary(f => f.Key, f => Encoding.UTF8.GetString(f.Value), StringComparer.Ordinal);

        GoldenFiles.AssertMatch(GoldenRoot, files);
    }

    [Fact]
    public void Rendering_is_deterministic_whatever_the_order_of_instances()
    {
        var forward = TenantRenderer.Render(RenderingFixture.Tenant, RenderingFixture.Instances);
        var backward = TenantRenderer.Render(RenderingFixture.Tenant, RenderingFixture.Instances.Reverse());

        Assert.Equal(forward.Keys, backward.Keys);
        Assert.All(forward, f => Assert.Equal(f.Value, backward[f.Key]));
    }

    [Fact]
    public void A_tenant_without_instances_still_renders_its_namespace_and_lockdown()
    {
        var files = TenantRenderer.Render("empty", []);

        var root = GitOpsLayout.TenantRoot("empty");
        Assert.Contains($"{root}/flux/namespaces.yaml", files.Keys);
        Assert.Contains($"{root}/flux/rbac.yaml", files.Keys);
        Assert.Contains($"{root}/argocd/appproject.yaml", files.Keys);
        Assert.DoesNotContain(files.Keys, k => k.Contains("/instances/", StringComparison.Ordinal));
    }

    [Fact]
    public void Instances_of_another_tenant_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TenantRenderer.Render("someone-else", RenderingFixture.Instances));
    }
}
