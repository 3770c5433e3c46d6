using Gantry.Core.Environments;
using Gantry.Core.Validation;
using Gantry.Core.Versions;

namespace Gantry.Core.Tests.Environments;

public sealed class EnvironmentPolicyTests
{
    private static readonly DateTimeOffset Now = new(2024, 1, 15, 10, 30, 0, TimeSpan.Zero);
    private static readonly EnvironmentPolicies Policies = EnvironmentPolicies.Default;

    [Fact]
    public void The_dev_example_is_valid_and_resolves_to_the_expected_tags()
    {
        var claim = Plan(EnvironmentFixture.Claim("dev-team1-feature-x"), out var errors);

        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        var resolved = Resolve(claim);
        Assert.Equal("v1.2.3", resolved.Service("user-service")!.ResolvedVersion);
        Assert.Equal("v2.2.0", resolved.Service("auth-service")!.ResolvedVersion);
        Assert.Equal("v1.1.0", resolved.Service("api-gateway")!.ResolvedVersion);
        Assert.Null(resolved.ExpirationDate);
        Assert.Equal("bucket", resolved.DeploymentMethod);
        Assert.Equal("john.doe", resolved.User);
    }

    [Fact]
    public void Deploy_only_specified_adds_the_dependencies_as_implicit_services()
    {
        var request = EnvironmentFixture.Claim("dev-team1-feature-x") with
        {
            Services = [new EnvironmentService { Name = "api-gateway", Version = "v1.0.5" }],
        };

        var claim = Resolve(Plan(request, out var errors));

        Assert.True(errors.IsEmpty);
        Assert.Equal(["api-gateway", "auth-service", "user-service"], claim.Services.Select(s => s.Name));
        Assert.False(claim.Service("api-gateway")!.Implicit);
        Assert.True(claim.Service("auth-service")!.Implicit);
        Assert.Equal("v2.2.0", claim.Service("auth-service")!.ResolvedVersion);
        Assert.Equal("v1.0.5", claim.Service("api-gateway")!.ResolvedVersion);
    }

    [Fact]
    public void Without_deploy_only_specified_the_whole_catalog_is_deployed()
    {
        var request = EnvironmentFixture.Claim("dev-team1-feature-x") with
        {
            DeployOnlySpecified = false,
            Services = [new EnvironmentService { Name = "auth-service", Version = "v2.1.0" }],
        };

        var claim = Plan(request, out _);

        Assert.Equal(["auth-service", "api-gateway", "user-service"], claim.Services.Select(s => s.Name));
    }

    [Fact]
    public void A_sue_environment_expires_24_hours_after_creation_by_default()
    {
        var request = EnvironmentFixture.Claim("sue-jane-hotfix") with { ExpirationDate = null };

        var claim = EnvironmentPlanner.Complete(request, "jane.smith", Now, Policies);

        Assert.Equal(Now.AddHours(24), claim.ExpirationDate);
    }

    [Fact]
    public void The_creation_date_is_the_current_time_to_the_second()
    {
        var now = Now.AddTicks(1234567).ToOffset(TimeSpan.FromHours(2));

        var claim = EnvironmentPlanner.Complete(EnvironmentFixture.Claim("sue-jane-hotfix") with { ExpirationDate = null }, "jane", now, Policies);

        Assert.Equal(Now, claim.CreationDate);
        Assert.Equal(TimeSpan.Zero, claim.CreationDate!.Value.Offset);
        Assert.Equal(Now.AddHours(24), claim.ExpirationDate);
    }

    [Fact]
    public void A_sue_environment_keeps_its_own_expiry_within_the_maximum()
    {
        var errors = new ValidationErrors();
        var own = EnvironmentPlanner.Complete(EnvironmentFixture.Claim("sue-jane-hotfix") with { ExpirationDate = Now.AddDays(3) }, "jane", Now, Policies);
        EnvironmentValidator.Validate(own, Policies, EnvironmentFixture.Catalog, Now, errors);
        Assert.Equal(Now.AddDays(3), own.ExpirationDate);
        Assert.True(errors.IsEmpty);

        var tooLong = own with { ExpirationDate = Now.AddDays(8) };
        EnvironmentValidator.Validate(tooLong, Policies, EnvironmentFixture.Catalog, Now, errors);
        Assert.Contains("at most 7 days", Assert.Single(errors.ToDictionary()["expiration_date"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Sue_accepts_dev_tags_and_dev_does_not()
    {
        var sue = Resolve(Plan(EnvironmentFixture.Claim("sue-jane-hotfix") with { ExpirationDate = null }, out var sueErrors));
        var dev = Resolve(Plan(EnvironmentFixture.Claim("dev-team1-feature-x") with
        {
            Services = [new EnvironmentService { Name = "user-service", Version = "^1.0.0" }],
        }, out _));

        Assert.True(sueErrors.IsEmpty);
        Assert.Equal("v1.3.0-dev.2", sue.Service("user-service")!.ResolvedVersion);
        Assert.Equal("v1.2.3", dev.Service("user-service")!.ResolvedVersion);
    }

    [Fact]
    public void An_unresolvable_constraint_names_the_service_the_constraint_and_the_tags()
    {
        var claim = Plan(EnvironmentFixture.Claim("dev-team1-feature-x") with
        {
            Services = [new EnvironmentService { Name = "auth-service", Version = "^5.0.0" }],
        }, out _);

        var e = Assert.ThrowsAny<VersionNotResolvedException>(() => Resolve(claim));

        Assert.Equal("auth-service", e.Service);
        Assert.Equal("^5.0.0", e.Constraint);
        Assert.Contains("v2.1.0", e.TagsSeen);
    }

    [Fact]
    public void Validation_collects_every_problem()
    {
        var request = new EnvironmentClaim
        {
            EnvironmentName = "Not_A_Name",
            EnvironmentType = "qa",
            EnvironmentPool = "Not A Team",
            DeploymentMethod = "ftp",
            Services =
            [
                new EnvironmentService { Name = "billing", Version = "1.0.0" },
                new EnvironmentService { Name = "auth-service", Version = "^^1" },
            ],
        };
        var errors = new ValidationErrors();

        EnvironmentValidator.Validate(EnvironmentPlanner.Complete(request, "u", Now, Policies), Policies, EnvironmentFixture.Catalog, Now, errors);

        Assert.Equal(
            ["environment_name", "environment_pool", "environment_type", "services.auth-service.version", "services.billing"],
            errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Prod_is_git_only()
    {
        var errors = new ValidationErrors();
        var prod = EnvironmentFixture.Claim("dev-team1-feature-x") with { EnvironmentType = "prod" };
        EnvironmentValidator.Validate(prod, Policies, EnvironmentFixture.Catalog, Now, errors);
        Assert.Contains("prod environments use git", Assert.Single(errors.ToDictionary()["deployment_method"]), StringComparison.Ordinal);

        var defaulted = EnvironmentPlanner.Complete(prod with { DeploymentMethod = null }, "u", Now, Policies);
        Assert.Equal("git", defaulted.DeploymentMethod);
    }

    [Fact]
    public void The_design_examples_name_the_team_pool_and_their_services_run_on_the_catalogs_node_pool()
    {
        foreach (var example in new[] { "dev-team1-feature-x", "sue-jane-hotfix" })
        {
            var claim = Plan(EnvironmentFixture.Claim(example) with { ExpirationDate = null }, out var errors);

            Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
            Assert.Equal("team1", claim.EnvironmentPool);
            Assert.All(claim.Services, s => Assert.Equal("general-public", s.NodePool));
        }
    }

    [Fact]
    public void A_service_placed_on_memory_is_refused_in_dev_naming_service_and_pool_and_accepted_in_stage()
    {
        var request = EnvironmentFixture.Claim("dev-team1-feature-x") with
        {
            Services = [new EnvironmentService { Name = "user-service", Version = "v1.2.3", NodePool = "memory" }],
        };

        Plan(request, out var dev);
        var stage = Plan(request with { EnvironmentType = "stage" }, out var stageErrors);

        var problem = Assert.Single(dev.ToDictionary()["services.user-service.node_pool"]);
        Assert.Contains("user-service", problem, StringComparison.Ordinal);
        Assert.Contains("'memory'", problem, StringComparison.Ordinal);
        Assert.Contains("general-restricted, general-public, spot", problem, StringComparison.Ordinal);
        Assert.True(stageErrors.IsEmpty);
        Assert.Equal("memory", stage.Service("user-service")!.NodePool);
        Assert.Equal("general-public", stage.Service("auth-service")!.NodePool);
    }

    [Theory]
    [InlineData("dev", "general-restricted,general-public,spot")]
    [InlineData("sue", "general-restricted,general-public,spot")]
    [InlineData("stage", "general-restricted,general-public,memory")]
    [InlineData("prod", "ai,general-public,general-restricted,memory,spot,storage")]
    public void Each_type_allows_the_node_pools_of_the_design(string type, string allowed)
    {
        var policy = Policies.Type(type)!;

        var pools = Policies.NodePools.Keys.Where(policy.AllowsNodePool).Order(StringComparer.Ordinal);

        Assert.Equal(allowed.Split(',').Order(StringComparer.Ordinal), pools);
    }

    [Fact]
    public void An_unknown_node_pool_is_refused_naming_the_known_ones()
    {
        var request = EnvironmentFixture.Claim("dev-team1-feature-x") with
        {
            Services = [new EnvironmentService { Name = "auth-service", Version = "*", NodePool = "moon" }],
        };

        Plan(request, out var errors);

        Assert.Contains("general-public", Assert.Single(errors.ToDictionary()["services.auth-service.node_pool"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Expiry_before_creation_is_refused()
    {
        var errors = new ValidationErrors();
        var claim = EnvironmentFixture.Claim("sue-jane-hotfix") with { ExpirationDate = new DateTimeOffset(2024, 1, 14, 0, 0, 0, TimeSpan.Zero) };

        EnvironmentValidator.Validate(claim, Policies, EnvironmentFixture.Catalog, Now, errors);

        Assert.Contains("must be after creation_date", errors.ToDictionary()["expiration_date"]);
    }

    private static EnvironmentClaim Plan(EnvironmentClaim request, out ValidationErrors errors)
    {
        errors = new ValidationErrors();
        var claim = EnvironmentPlanner.Complete(request, request.User.Length > 0 ? request.User : "someone", Now, Policies);
        EnvironmentValidator.Validate(claim, Policies, EnvironmentFixture.Catalog, Now, errors);
        var planned = EnvironmentPlanner.WithNodePools(EnvironmentPlanner.WithDeployedServices(claim, EnvironmentFixture.Catalog, errors), EnvironmentFixture.Catalog);
        EnvironmentValidator.ValidateNodePools(planned, Policies, errors);
        return planned;
    }

    private static EnvironmentClaim Resolve(EnvironmentClaim claim) =>
        EnvironmentPlanner.ResolveAsync(claim, EnvironmentFixture.Catalog, Policies.Type(claim.EnvironmentType)!, new EnvironmentFixture.StaticTags())
            .GetAwaiter().GetResult();
}
