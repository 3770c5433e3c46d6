using Gantry.Core.Versions;

namespace Gantry.Core.Tests.Versions;

public sealed class TagVersionTests
{
    [Theory]
    [InlineData("1.2.3", "1.2.3")]
    [InlineData("v1.2.3", "1.2.3")]
    [InlineData("V1.2.3", "1.2.3")]
    [InlineData("1.2", "1.2.0")]
    [InlineData("7", "7.0.0")]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("v1.0.0.0", "1.0.0")]
    [InlineData("1.2.3-rc.1", "1.2.3-rc.1")]
    [InlineData("1.2.3+build.5", "1.2.3+build.5")]
    [InlineData("1.2.3_build.5", "1.2.3+build.5")]
    [InlineData("20240101", "20240101.0.0")]
    public void Version_tags_parse_and_keep_their_spelling(string tag, string expected)
    {
        Assert.True(TagVersion.TryParse(tag, out var version));
        Assert.Equal(tag, version.Tag);
        Assert.Equal(expected, version.Version.ToFullString());
    }

    [Theory]
    [InlineData("main")]
    [InlineData("latest")]
    [InlineData("sha-abc123")]
    [InlineData("v")]
    [InlineData("")]
    [InlineData("1..2")]
    [InlineData("1.2.3.")]
    [InlineData("1.2.3.4.5")]
    [InlineData(" 1.2.3")]
    [InlineData("1.2.3-")]
    [InlineData("x1.2.3")]
    public void Other_tags_are_not_versions(string tag)
    {
        Assert.False(TagVersion.TryParse(tag, out _));
    }
}
