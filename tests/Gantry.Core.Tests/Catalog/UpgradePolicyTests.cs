using Gantry.Core.Catalog;

namespace Gantry.Core.Tests.Catalog;

public sealed class UpgradePolicyTests
{
    private static readonly UpgradePolicy Qdrant = new() { AllowDowngrade = false, MaxStep = UpgradeStep.Minor };

    [Theory]
    [InlineData("1.12.6", "1.13.0")]
    [InlineData("1.12.0", "1.12.6")]
    [InlineData("1.13.6", "2.0.0")]
    [InlineData("1.13.6", "1.13.6")]
    public void One_minor_step_is_allowed(string from, string to) => Assert.Null(Qdrant.Refusal(from, to, force: false));

    [Theory]
    [InlineData("1.12.6", "1.14.0", "upgrade through 1.13 first")]
    [InlineData("1.12.6", "2.1.0", "upgrade through 2.0 first")]
    [InlineData("1.12.6", "3.0.0", "upgrade through 2.0 first")]
    public void Skipping_a_minor_version_is_refused(string from, string to, string expected) =>
        Assert.Contains(expected, Qdrant.Refusal(from, to, force: false), StringComparison.Ordinal);

    [Fact]
    public void A_downgrade_is_refused_unless_forced()
    {
        Assert.Contains("does not downgrade", Qdrant.Refusal("1.13.0", "1.12.6", force: false), StringComparison.Ordinal);
        Assert.Null(Qdrant.Refusal("1.13.0", "1.12.6", force: true));
        Assert.Null(UpgradePolicy.None.Refusal("1.13.0", "1.12.6", force: false));
    }

    [Fact]
    public void The_offering_file_declares_the_policy()
    {
        var offering = OfferingParser.Parse("""
            name: db
            engine: flux
            chart: { repository: "https://charts.example.com", name: db, version: "*" }
            schema: { type: object }
            upgradePolicy: { maxStep: major }
            """, "db.yaml");

        Assert.False(offering.UpgradePolicy.AllowDowngrade);
        Assert.Equal(UpgradeStep.Major, offering.UpgradePolicy.MaxStep);
        Assert.Contains("upgrade through 2.x first", offering.UpgradePolicy.Refusal("1.0.0", "3.0.0", force: false), StringComparison.Ordinal);
        Assert.Throws<CatalogException>(() => OfferingParser.Parse("""
            name: db
            engine: flux
            chart: { repository: "https://charts.example.com", name: db, version: "*" }
            schema: { type: object }
            upgradePolicy: { maxStep: huge }
            """, "db.yaml"));
    }
}
