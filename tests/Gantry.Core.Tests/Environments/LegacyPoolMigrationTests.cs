using Gantry.Core.Environments;

namespace Gantry.Core.Tests.Environments;

public sealed class LegacyPoolMigrationTests
{
    private static readonly EnvironmentPolicies Policies = EnvironmentPolicies.Default;

    // A claim as the previous version stored it: the pool was also the node pool, no service had a node_pool.
    private static EnvironmentClaim Legacy(string type, string pool) => EnvironmentFixture.Claim("dev-team1-feature-x") with
    {
        EnvironmentType = type,
        EnvironmentPool = pool,
        Services = [new EnvironmentService { Name = "user-service", Version = "v1.2.3", ResolvedVersion = "v1.2.3" },
            new EnvironmentService { Name = "auth-service", Version = "*", ResolvedVersion = "v2.2.0", Implicit = true }],
    };

    [Fact]
    public void A_claim_without_node_pools_is_legacy_and_a_migrated_one_is_not()
    {
        var legacy = Legacy("dev", "spot");

        var migrated = LegacyPoolMigration.Migrate(legacy, Policies, EnvironmentFixture.Catalog, out var moved);

        Assert.True(LegacyPoolMigration.IsLegacy(legacy));
        Assert.False(LegacyPoolMigration.IsLegacy(migrated));
        Assert.Empty(moved);
        Assert.Equal("spot", migrated.EnvironmentPool);
        Assert.All(migrated.Services, s => Assert.Equal("spot", s.NodePool));
        Assert.Equal(EnvironmentJson.Serialize(migrated), EnvironmentJson.Serialize(LegacyPoolMigration.Migrate(migrated, Policies, EnvironmentFixture.Catalog, out _)));
    }

    [Fact]
    public void A_node_pool_the_type_no_longer_allows_moves_to_the_catalogs_pool_and_says_so()
    {
        var migrated = LegacyPoolMigration.Migrate(Legacy("sue", "memory"), Policies, EnvironmentFixture.Catalog, out var moved);

        Assert.All(migrated.Services, s => Assert.Equal("general-public", s.NodePool));
        Assert.Equal(["user-service: memory -> general-public", "auth-service: memory -> general-public"], moved);
    }

    [Fact]
    public void A_migrated_claim_renders_where_it_ran_before()
    {
        var migrated = LegacyPoolMigration.Migrate(Legacy("dev", "spot"), Policies, EnvironmentFixture.Catalog, out _);

        var files = EnvironmentRenderer.Render(migrated, EnvironmentFixture.Catalog, Policies);

        var release = System.Text.Encoding.UTF8.GetString(files["services/user-service.yaml"]);
        Assert.Contains("gantry.dev/pool: spot", release, StringComparison.Ordinal);
        Assert.Contains("effect: NoSchedule", release, StringComparison.Ordinal);
    }
}
