using Gantry.Core.Identity;

namespace Gantry.Core.Tests.Identity;

public sealed class AccessPolicyTests
{
    private static Principal Member(TenantRole role, string tenant = "acme") => new()
    {
        Id = "u1",
        Name = "alice",
        Kind = PrincipalKind.User,
        Memberships = new Dictionary<string, TenantRole>(StringComparer.Ordinal) { [tenant] = role },
    };

    private static readonly Principal PlatformAdmin = new() { Id = "root", Name = "admin", Kind = PrincipalKind.User, IsPlatformAdmin = true };

    [Theory]
    [InlineData(ResourceKinds.Tenant)]
    [InlineData(ResourceKinds.Member)]
    [InlineData(ResourceKinds.ApiKey)]
    [InlineData(ResourceKinds.Audit)]
    [InlineData(ResourceKinds.Instance)]
    [InlineData(ResourceKinds.Environment)]
    [InlineData(ResourceKinds.SealingKey)]
    [InlineData(ResourceKinds.ChangeRequest)]
    public void Another_tenants_resources_are_not_found_for_every_role_and_action(string kind)
    {
        foreach (var role in Enum.GetValues<TenantRole>())
        {
            foreach (var action in Enum.GetValues<ResourceAction>())
            {
                Assert.Equal(AccessDecision.NotFound, AccessPolicy.Decide(Member(role, "acme"), action, ResourceRef.InTenant("other", kind, "x")));
            }
        }
    }

    [Theory]
    [InlineData(TenantRole.Viewer, ResourceKinds.Instance, ResourceAction.Read, AccessDecision.Allowed)]
    [InlineData(TenantRole.Viewer, ResourceKinds.Instance, ResourceAction.Update, AccessDecision.Forbidden)]
    [InlineData(TenantRole.Operator, ResourceKinds.Instance, ResourceAction.Update, AccessDecision.Allowed)]
    [InlineData(TenantRole.Operator, ResourceKinds.Environment, ResourceAction.Delete, AccessDecision.Allowed)]
    [InlineData(TenantRole.Operator, ResourceKinds.Member, ResourceAction.Update, AccessDecision.Forbidden)]
    [InlineData(TenantRole.Operator, ResourceKinds.ApiKey, ResourceAction.Read, AccessDecision.Forbidden)]
    [InlineData(TenantRole.Admin, ResourceKinds.Member, ResourceAction.Update, AccessDecision.Allowed)]
    [InlineData(TenantRole.Admin, ResourceKinds.ApiKey, ResourceAction.Create, AccessDecision.Allowed)]
    [InlineData(TenantRole.Admin, ResourceKinds.Audit, ResourceAction.Read, AccessDecision.Allowed)]
    [InlineData(TenantRole.Viewer, ResourceKinds.Audit, ResourceAction.Read, AccessDecision.Forbidden)]
    [InlineData(TenantRole.Viewer, ResourceKinds.Member, ResourceAction.Read, AccessDecision.Allowed)]
    [InlineData(TenantRole.Viewer, ResourceKinds.Tenant, ResourceAction.Read, AccessDecision.Allowed)]
    [InlineData(TenantRole.Admin, ResourceKinds.Tenant, ResourceAction.Update, AccessDecision.Forbidden)]
    [InlineData(TenantRole.Admin, ResourceKinds.Tenant, ResourceAction.Delete, AccessDecision.Forbidden)]
    [InlineData(TenantRole.Viewer, ResourceKinds.SealingKey, ResourceAction.Read, AccessDecision.Allowed)]
    [InlineData(TenantRole.Operator, ResourceKinds.SealingKey, ResourceAction.Update, AccessDecision.Forbidden)]
    [InlineData(TenantRole.Admin, ResourceKinds.SealingKey, ResourceAction.Update, AccessDecision.Allowed)]
    [InlineData(TenantRole.Viewer, ResourceKinds.ChangeRequest, ResourceAction.Read, AccessDecision.Allowed)]
    [InlineData(TenantRole.Operator, ResourceKinds.ChangeRequest, ResourceAction.Update, AccessDecision.Forbidden)]
    [InlineData(TenantRole.Admin, ResourceKinds.ChangeRequest, ResourceAction.Update, AccessDecision.Allowed)]
    [InlineData(TenantRole.Admin, "unknown-kind", ResourceAction.Read, AccessDecision.Forbidden)]
    public void Roles_in_own_tenant_allow_what_they_include(TenantRole role, string kind, ResourceAction action, AccessDecision expected) =>
        Assert.Equal(expected, AccessPolicy.Decide(Member(role), action, ResourceRef.InTenant("acme", kind, "x")));

    [Fact]
    public void Platform_admin_may_do_everything_everywhere()
    {
        foreach (var action in Enum.GetValues<ResourceAction>())
        {
            Assert.Equal(AccessDecision.Allowed, AccessPolicy.Decide(PlatformAdmin, action, ResourceRef.InTenant("any", ResourceKinds.Tenant, "any")));
            Assert.Equal(AccessDecision.Allowed, AccessPolicy.Decide(PlatformAdmin, action, ResourceRef.User("someone")));
        }
    }

    [Fact]
    public void A_user_reads_and_updates_only_their_own_record()
    {
        var alice = Member(TenantRole.Admin);
        Assert.Equal(AccessDecision.Allowed, AccessPolicy.Decide(alice, ResourceAction.Read, ResourceRef.User("u1")));
        Assert.Equal(AccessDecision.Allowed, AccessPolicy.Decide(alice, ResourceAction.Update, ResourceRef.User("u1")));
        Assert.Equal(AccessDecision.Forbidden, AccessPolicy.Decide(alice, ResourceAction.Delete, ResourceRef.User("u1")));
        Assert.Equal(AccessDecision.NotFound, AccessPolicy.Decide(alice, ResourceAction.Read, ResourceRef.User("u2")));
        Assert.Equal(AccessDecision.Forbidden, AccessPolicy.Decide(alice, ResourceAction.Create, ResourceRef.User()));
    }

    [Fact]
    public void An_api_key_is_not_a_user_even_when_ids_collide()
    {
        var key = Member(TenantRole.Admin) with { Kind = PrincipalKind.ApiKey };
        Assert.Equal(AccessDecision.NotFound, AccessPolicy.Decide(key, ResourceAction.Read, ResourceRef.User("u1")));
    }

    [Fact]
    public void Tenant_admins_cannot_create_tenants()
    {
        Assert.NotEqual(AccessDecision.Allowed, AccessPolicy.Decide(Member(TenantRole.Admin), ResourceAction.Create, ResourceRef.InTenant("acme", ResourceKinds.Tenant, "acme")));
    }
}
