using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Environments;
using Gantry.Core.Validation;

namespace Gantry.Core.Tests.Environments;

public sealed class EnvironmentJsonTests
{
    [Theory]
    [InlineData("dev-team1-feature-x")]
    [InlineData("sue-jane-hotfix")]
    public void The_design_example_claims_round_trip_byte_for_byte(string name)
    {
        var original = EnvironmentFixture.ClaimBytes(name);

        var written = EnvironmentJson.Serialize(EnvironmentJson.Parse(original));

        Assert.Equal(Encoding.UTF8.GetString(original), Encoding.UTF8.GetString(written));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(original), JsonNode.Parse(written)));
    }

    [Fact]
    public void Both_service_forms_are_read()
    {
        var dev = EnvironmentFixture.Claim("dev-team1-feature-x");
        var sue = EnvironmentFixture.Claim("sue-jane-hotfix");

        Assert.Equal(["user-service", "auth-service", "api-gateway"], dev.Services.Select(s => s.Name));
        Assert.Equal("^2.1.0", dev.Service("auth-service")!.Version);
        Assert.True(dev.Service("api-gateway")!.IsShortForm);
        var user = sue.Service("user-service")!;
        Assert.Equal("^1.0.0", user.Version);
        Assert.Equal("registry.example.com/platform/user-service", user.DockerImage);
        Assert.Equal("user-service-config-1.0.5.tar.gz", user.AnsibleArtifact);
        Assert.Equal(new DateTimeOffset(2024, 1, 16, 14, 0, 0, TimeSpan.Zero), sue.ExpirationDate);
    }

    [Fact]
    public void A_resolved_version_is_stored_beside_the_constraint_and_reads_back()
    {
        var claim = EnvironmentFixture.Claim("dev-team1-feature-x");
        var resolved = claim with
        {
            Services = [.. claim.Services.Select(s => s with { ResolvedVersion = "v9.9.9" }),
                new EnvironmentService { Name = "extra", Version = "*", ResolvedVersion = "v1.0.0", Implicit = true }],
        };

        var json = JsonNode.Parse(EnvironmentJson.Serialize(resolved))!;

        Assert.Equal("^2.1.0", (string?)json["services"]!["auth-service"]!["version"]);
        Assert.Equal("v9.9.9", (string?)json["services"]!["auth-service"]!["resolved_version"]);
        Assert.True((bool)json["services"]!["extra"]!["implicit"]!);
        Assert.Equal(EnvironmentJson.Serialize(resolved), EnvironmentJson.Serialize(EnvironmentJson.Parse(EnvironmentJson.Serialize(resolved))));
    }

    [Fact]
    public void A_long_form_with_only_a_version_stays_long()
    {
        const string json = """{"environment_name":"a","environment_type":"dev","environment_pool":"p","services":{"s":{"version":"1.0.0"}}}""";

        var written = JsonNode.Parse(EnvironmentJson.Serialize(EnvironmentJson.Parse(Encoding.UTF8.GetBytes(json))))!;

        Assert.Equal("1.0.0", (string?)written["services"]!["s"]!["version"]);
    }

    [Fact]
    public void Timestamps_with_an_offset_are_stored_in_utc()
    {
        const string json = """{"environment_name":"a","environment_type":"dev","environment_pool":"p","creation_date":"2024-01-15T12:30:00+02:00","services":{}}""";

        var written = JsonNode.Parse(EnvironmentJson.Serialize(EnvironmentJson.Parse(Encoding.UTF8.GetBytes(json))))!;

        Assert.Equal("2024-01-15T10:30:00Z", (string?)written["creation_date"]);
    }

    [Theory]
    [InlineData("""{"environment_name":"a","environment_type":"dev","environment_pool":"p","services":{"s":"1","s":"2"}}""", "services")]
    [InlineData("""{"environment_name":"a","environment_type":"dev","environment_pool":"p","expiry_date":"x","services":{}}""", "expiry_date")]
    [InlineData("""{"environment_name":"a","environment_type":"dev","environment_pool":"p","services":{"s":{"docker_image":"x"}}}""", "services")]
    [InlineData("""{"environment_name":"a","environment_type":"dev","environment_pool":"p","services":{"s":{"version":"1","colour":"red"}}}""", "services")]
    [InlineData("""{"environment_name":"a","environment_type":"dev","environment_pool":"p","creation_date":"yesterday","services":{}}""", "creation_date")]
    public void Malformed_claims_fail_naming_the_field(string json, string field)
    {
        var e = Assert.Throws<ValidationFailedException>(() => EnvironmentJson.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(e.Errors.Keys, k => k.StartsWith(field, StringComparison.Ordinal));
    }
}
