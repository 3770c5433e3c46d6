using System.Text.Json.Nodes;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;

namespace Gantry.Core.Tests.Rendering;

/// <summary>
/// <c>TenantRenderer.RenderChange</c> renders only the changed instance, and the shared files only when what
/// they read of it moved: applied to the whole tree before, what it puts and deletes must give exactly the whole tree
/// after, for either engine and any kind of change.
/// </summary>
public sealed class ChangeRenderingTests
{
    private static readonly string Tenant = RenderingFixture.Tenant;

    public static TheoryData<string> Changes => ["update db1", "update runner1", "add db2", "add runner2", "remove db1", "remove runner1", "db1 becomes a runner", "db1 loses its secret"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_change_applied_to_the_whole_tree_gives_the_whole_tree_after(string change)
    {
        var before = RenderingFixture.Instances.ToList();
        var (after, name) = Apply(before, change);

        var partial = TenantRenderer.RenderChange(Tenant, TenantRenderer.RenderShared(Tenant, before),
            before.SingleOrDefault(i => i.Claim.Name == name), after.SingleOrDefault(i => i.Claim.Name == name), after);

        var tree = new Dictionary<string, byte[]>(TenantRenderer.Render(Tenant, before), StringComparer.Ordinal);
        Assert.All(partial.Deletes, path => Assert.True(tree.Remove(path), $"{path} is deleted but was not there"));
        foreach (var (path, bytes) in partial.Puts)
        {
            tree[path] = bytes;
        }

        var expected = TenantRenderer.Render(Tenant, after);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), tree.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, file => Assert.Equal(file.Value, tree[file.Key]));
        Assert.Equal(TenantRenderer.RenderShared(Tenant, after).Files, partial.Shared.Files);
    }

    [Fact]
    public void The_same_instances_in_any_order_give_the_same_bytes()
    {
        // Two namespaces per engine, so that the order of the tenant's namespaces is at stake.
        List<RenderedInstance> more = [.. RenderingFixture.Instances];
        foreach (var instance in RenderingFixture.Instances)
        {
            var copy = Copy(instance, instance.Claim.Name + "-b");
            more.Add(copy with { Claim = copy.Claim with { Namespace = copy.Claim.Namespace + "-b" } });
        }
        var reversed = more.OrderByDescending(i => i.Claim.Name, StringComparer.Ordinal).ToList();

        var inOrder = TenantRenderer.Render(Tenant, more);
        var outOfOrder = TenantRenderer.Render(Tenant, reversed);

        Assert.Equal(inOrder.Keys.Order(StringComparer.Ordinal), outOfOrder.Keys.Order(StringComparer.Ordinal));
        Assert.All(inOrder, file => Assert.Equal(file.Value, outOfOrder[file.Key]));
        Assert.Equal(TenantRenderer.RenderShared(Tenant, more).Files, TenantRenderer.RenderShared(Tenant, reversed).Files);
    }

    [Theory]
    [InlineData("update db1", true)]
    [InlineData("update runner1", true)]
    [InlineData("add db2", false)]
    [InlineData("remove runner1", false)]
    [InlineData("db1 loses its secret", false)]
    [InlineData("db1 becomes a runner", false)]
    public void Shared_files_are_rendered_again_only_when_what_they_read_moved(string change, bool kept)
    {
        var before = RenderingFixture.Instances.ToList();
        var (after, name) = Apply(before, change);
        var shared = TenantRenderer.RenderShared(Tenant, before);

        var partial = TenantRenderer.RenderChange(Tenant, shared,
            before.SingleOrDefault(i => i.Claim.Name == name), after.SingleOrDefault(i => i.Claim.Name == name), after);

        Assert.Equal(kept, ReferenceEquals(shared, partial.Shared));
        Assert.Equal(kept, partial.Deletes.Count == 0 && partial.Puts.Keys.All(path => GitOpsLayout.InstancePaths(Tenant, name).Any(p => path.StartsWith(p, StringComparison.Ordinal))));
    }

    [Fact]
    public void The_same_claim_again_changes_nothing()
    {
        var db1 = RenderingFixture.Instances.Single(i => i.Claim.Name == "db1");
        var again = db1 with { Claim = db1.Claim with { Values = db1.Claim.Values.DeepClone().AsObject() } };

        var partial = TenantRenderer.RenderChange(Tenant, TenantRenderer.RenderShared(Tenant, RenderingFixture.Instances), db1, again, RenderingFixture.Instances);

        Assert.Empty(partial.Puts);
        Assert.Empty(partial.Deletes);
    }

    [Fact]
    public void The_first_change_puts_the_whole_tree()
    {
        var first = TenantRenderer.RenderFirst(Tenant, RenderingFixture.Instances);

        Assert.Equal(TenantRenderer.Render(Tenant, RenderingFixture.Instances), first.Puts);
        Assert.Empty(first.Deletes);
        Assert.All(first.Shared.Files, file => Assert.Equal(file.Value, first.Puts[file.Key]));
        Assert.All(RenderingFixture.Instances, i => Assert.All(TenantRenderer.RenderInstance(Tenant, i), file => Assert.Equal(file.Value, first.Puts[file.Key])));
    }

    [Fact]
    public void An_instance_of_another_tenant_is_refused()
    {
        var stranger = RenderingFixture.Instances[0] with { Claim = RenderingFixture.Instances[0].Claim with { Tenant = "someone-else" } };

        Assert.Throws<ArgumentException>(() => TenantRenderer.RenderInstance(Tenant, stranger));
        Assert.Throws<ArgumentException>(() => TenantRenderer.RenderChange(Tenant, TenantRenderer.RenderShared(Tenant, Array.Empty<InstanceOutline>()), null, stranger, [stranger]));
    }

    [Fact]
    public void Outlines_kept_without_values_render_the_same_shared_files_as_whole_claims()
    {
        // What a replica keeps of the instances a change does not touch: names, namespaces, offerings, sealed names.
        var first = RenderingFixture.Instances[0];
        var instances = RenderingFixture.Instances
            .Append(first with { Claim = first.Claim with { Name = "plain", SealedSecrets = new Dictionary<string, string>() } }).ToList();
        var outlines = instances.Select(i => InstanceOutline.Of(Tenant, i.Claim.Name, i.Claim.Namespace, i.Offering, [.. i.Claim.SealedSecrets.Keys]));

        Assert.Equal(TenantRenderer.RenderShared(Tenant, instances).Files, TenantRenderer.RenderShared(Tenant, outlines).Files);
        Assert.Contains(instances, i => i.Outline.HasSealedValues);
        Assert.Contains(instances, i => !i.Outline.HasSealedValues);
    }

    [Fact]
    public void A_sealed_value_the_offering_no_longer_declares_does_not_count_in_the_outline()
    {
        var instance = RenderingFixture.Instances.First(i => i.Outline.HasSealedValues);

        var outline = InstanceOutline.Of(Tenant, instance.Claim.Name, instance.Claim.Namespace, instance.Offering, ["not-declared"]);

        Assert.False(outline.HasSealedValues);
        Assert.False(outline.SameAs(instance.Outline));
        Assert.True(instance.Outline.SameAs(instance.Outline with { }));
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
            case "db1 loses its secret":
                after[after.IndexOf(db1)] = db1 with { Claim = db1.Claim with { SealedSecrets = new Dictionary<string, string>(StringComparer.Ordinal) } };
                return (after, "db1");
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
}
