using System.Text.Json.Nodes;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;

namespace Gantry.Core.Tests.Rendering;

/// <summary>
/// <see cref="TenantRenderer.RenderSharedAnd"/> renders only the shared files and one instance's: the difference of
/// two such renders must be exactly the difference of the two whole trees, for either engine and any kind of change.
/// </summary>
public sealed class SharedAndOneRenderingTests
{
    private static readonly string Tenant = RenderingFixture.Tenant;

    public static TheoryData<string> Changes => ["update db1", "update runner1", "add db2", "add runner2", "remove db1", "remove runner1", "db1 becomes a runner"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void Difference_of_partial_renders_equals_difference_of_whole_trees(string change)
    {
        var before = RenderingFixture.Instances.ToList();
        var (after, name) = Apply(before, change);

        var whole = Difference(TenantRenderer.Render(Tenant, before), TenantRenderer.Render(Tenant, after));
        var partial = Difference(TenantRenderer.RenderSharedAnd(Tenant, before, name), TenantRenderer.RenderSharedAnd(Tenant, after, name));

        Assert.NotEmpty(whole.Puts);
        Assert.Equal(whole.Puts.Keys.Order(StringComparer.Ordinal), partial.Puts.Keys.Order(StringComparer.Ordinal));
        Assert.All(whole.Puts, put => Assert.Equal(put.Value, partial.Puts[put.Key]));
        Assert.Equal(whole.Deletes, partial.Deletes);
    }

    [Fact]
    public void Other_instances_files_are_left_out_and_shared_files_are_whole()
    {
        var full = TenantRenderer.Render(Tenant, RenderingFixture.Instances);
        var partial = TenantRenderer.RenderSharedAnd(Tenant, RenderingFixture.Instances, "db1");

        Assert.DoesNotContain(partial.Keys, path => GitOpsLayout.InstancePaths(Tenant, "runner1").Any(p => path.StartsWith(p, StringComparison.Ordinal)));
        Assert.Contains(GitOpsLayout.InstanceClaim(Tenant, "db1"), partial.Keys);
        Assert.Contains(GitOpsLayout.ArgoCdApplication(Tenant, "db1"), partial.Keys);
        Assert.All(partial, file => Assert.Equal(full[file.Key], file.Value));
        var shared = full.Keys.Where(path => !GitOpsLayout.InstancePaths(Tenant, "db1").Concat(GitOpsLayout.InstancePaths(Tenant, "runner1"))
            .Any(p => path.StartsWith(p, StringComparison.Ordinal)));
        Assert.All(shared, path => Assert.Contains(path, partial.Keys));
    }

    private static (List<RenderedInstance> After, string Name) Apply(List<RenderedInstance> before, string change)
    {
        var after = before.ToList();
        var db1 = before.Single(i => i.Claim.Name == "db1");
        var runner1 = before.Single(i => i.Claim.Name == "runner1");
        switch (change)
        {
            case "update db1":
                after[after.IndexOf(db1)] = db1 with { Claim = WithValues(db1.Claim, new JsonObject { ["replicaCount"] = 5 }) };
                return (after, "db1");
            case "update runner1":
                after[after.IndexOf(runner1)] = runner1 with { Claim = WithValues(runner1.Claim, new JsonObject { ["organization"] = "other", ["replicas"] = 4 }) };
                return (after, "runner1");
            case "add db2":
                after.Add(Copy(db1, "db2"));
                return (after, "db2");
            case "add runner2":
                after.Add(Copy(runner1, "runner2"));
                return (after, "runner2");
            case "remove db1":
                after.Remove(db1);
                return (after, "db1");
            case "remove runner1":
                after.Remove(runner1);
                return (after, "runner1");
            case "db1 becomes a runner":
                after[after.IndexOf(db1)] = Copy(runner1, "db1");
                return (after, "db1");
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
    }

    private static InstanceClaim WithValues(InstanceClaim claim, JsonObject values) => claim with { Values = values };

    private static RenderedInstance Copy(RenderedInstance instance, string name) => instance with
    {
        Claim = instance.Claim with
        {
            Name = name,
            Namespace = instance.Offering.NamespaceFor(Tenant, name),
            Values = instance.Claim.Values.DeepClone().AsObject(),
        },
    };

    private static (Dictionary<string, byte[]> Puts, List<string> Deletes) Difference(IReadOnlyDictionary<string, byte[]> before, IReadOnlyDictionary<string, byte[]> after) =>
    (
        after.Where(f => !before.TryGetValue(f.Key, out var old) || !old.AsSpan().SequenceEqual(f.Value)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
        before.Keys.Where(path => !after.ContainsKey(path)).Order(StringComparer.Ordinal).ToList()
    );
}
