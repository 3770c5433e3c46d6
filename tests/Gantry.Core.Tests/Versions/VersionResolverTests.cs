using Gantry.Core.Versions;

namespace Gantry.Core.Tests.Versions;

public sealed class VersionResolverTests
{
    // The platform design's services and a few neighbours, as a registry would list them (lexically).
    private static readonly string[] Tags =
    [
        "latest", "main", "sha-3f2a9c1", "v0.9.0", "v1.0.0", "v1.0.5", "v1.2.0", "v1.2.3", "v1.2.4-rc.1",
        "v1.10.0", "v2.0.0-beta.1", "v2.1.0", "v2.1.1", "v3.0.0-dev.7",
    ];

    [Theory]
    [InlineData("v1.2.3", "v1.2.3")]
    [InlineData("1.2.3", "v1.2.3")]
    [InlineData("^1.0.0", "v1.10.0")]
    [InlineData("~1.2", "v1.2.3")]
    [InlineData("1.x.x", "v1.10.0")]
    [InlineData("1.0.x", "v1.0.5")]
    [InlineData("^2.0.0", "v2.1.1")]
    [InlineData("*", "v2.1.1")]
    [InlineData("latest", "v2.1.1")]
    [InlineData(">=1.2.0 <2.0.0", "v1.10.0")]
    [InlineData(">=1.2.0 <1.3.0", "v1.2.3")]
    [InlineData("<1", "v0.9.0")]
    [InlineData("^0.9.0 || ^1.0.0 <1.1", "v1.0.5")]
    [InlineData("2.0.0-beta.1", "v2.0.0-beta.1")]
    [InlineData("main", "main")]
    [InlineData("sha-3f2a9c1", "sha-3f2a9c1")]
    public void Resolves_the_highest_matching_tag_in_its_original_spelling(string constraint, string expected)
    {
        var resolution = VersionResolver.Resolve(constraint, Tags);

        Assert.True(resolution.IsResolved, resolution.Describe());
        Assert.Equal(expected, resolution.Tag);
    }

    [Theory]
    [InlineData("^1.0.0", "v1.10.0")]
    [InlineData("*", "v3.0.0-dev.7")]
    [InlineData("^2.0.0", "v2.1.1")]
    [InlineData(">=2.0.0-alpha <2.1.0", "v2.0.0-beta.1")]
    public void Dev_tags_win_when_prereleases_are_allowed(string constraint, string expected)
    {
        var resolution = VersionResolver.Resolve(constraint, Tags, new VersionResolveOptions { AllowPrerelease = true });

        Assert.Equal(expected, resolution.Tag);
    }

    [Fact]
    public void Four_part_versions_resolve()
    {
        string[] tags = ["1.0.0.1", "1.0.0.12", "1.0.1.0", "1.2.0.3", "2.0.0.0", "build-99"];

        Assert.Equal("1.2.0.3", VersionResolver.Resolve("1.x.x.x", tags).Tag);
        Assert.Equal("1.2.0.3", VersionResolver.Resolve("^1.0.0.0", tags).Tag);
        Assert.Equal("1.0.0.12", VersionResolver.Resolve("1.0.0.x", tags).Tag);
        Assert.Equal("1.0.0.12", VersionResolver.Resolve("1.0.0.12", tags).Tag);
        Assert.Equal("2.0.0.0", VersionResolver.Resolve("latest", tags).Tag);
    }

    [Fact]
    public void Unresolved_constraint_carries_the_constraint_and_the_tags_seen()
    {
        var resolution = VersionResolver.Resolve("^4.0.0", Tags);

        Assert.False(resolution.IsResolved);
        Assert.Null(resolution.Tag);
        Assert.Equal("^4.0.0", resolution.Constraint);
        Assert.Equal(Tags, resolution.TagsSeen);
        var exception = Assert.Throws<VersionNotResolvedException>(resolution.GetTagOrThrow);
        Assert.Equal("^4.0.0", exception.Constraint);
        Assert.Contains("v2.1.1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("^4.0.0", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Literal_tag_constraint_does_not_match_other_tags()
    {
        Assert.False(VersionResolver.Resolve("develop", Tags).IsResolved);
    }

    [Fact]
    public void Non_version_tags_are_ignored_by_ranges()
    {
        Assert.False(VersionResolver.Resolve("*", ["main", "sha-abc", "nightly"]).IsResolved);
    }

    [Fact]
    public void Latest_falls_back_to_the_latest_tag_when_no_tag_is_a_version()
    {
        Assert.Equal("latest", VersionResolver.Resolve("latest", ["main", "latest"]).Tag);
    }

    [Fact]
    public void Same_version_spelled_twice_prefers_the_constraint_spelling()
    {
        Assert.Equal("1.2.3", VersionResolver.Resolve("1.2.3", ["v1.2.3", "1.2.3"]).Tag);
        Assert.Equal("v1.2.3", VersionResolver.Resolve("v1.2.3", ["1.2.3", "v1.2.3"]).Tag);
        Assert.Equal("1.2.3", VersionResolver.Resolve("^1.0.0", ["v1.2.3", "1.2.3"]).Tag);
    }

    [Fact]
    public void Helm_oci_tags_with_underscore_metadata_resolve()
    {
        Assert.Equal("1.2.3_build.7", VersionResolver.Resolve("~1.2", ["1.2.2", "1.2.3_build.7"]).Tag);
    }

    [Fact]
    public void Empty_source_says_it_listed_nothing()
    {
        var resolution = VersionResolver.Resolve("^1.0.0", []);

        Assert.Contains("lists no tags", resolution.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Long_tag_lists_are_shortened_in_the_message()
    {
        var tags = Enumerable.Range(0, 100).Select(i => $"0.0.{i}").ToArray();

        var message = VersionResolver.Resolve("^5", tags).Describe();

        Assert.Contains("and 70 more", message, StringComparison.Ordinal);
    }
}
