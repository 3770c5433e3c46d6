using Gantry.Core.Validation;
using Gantry.Core.Versions;

namespace Gantry.Core.Tests.Versions;

public sealed class VersionConstraintTests
{
    [Theory]
    // exact, with or without the v prefix
    [InlineData("v1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "v1.2.3", true)]
    [InlineData("=1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "1.2.4", false)]
    [InlineData("1.2.3.4", "1.2.3.4", true)]
    [InlineData("1.2.3.4", "1.2.3.5", false)]
    [InlineData("1.2.3", "1.2.3.0", true)]
    [InlineData("1.2.3", "1.2.3+build.1", true)]
    [InlineData("1.2.3+build.1", "1.2.3+build.2", false)]
    [InlineData("1.2.3-rc.1", "1.2.3-rc.1", true)]
    [InlineData("1.2.3-rc.1", "1.2.3", false)]
    // caret
    [InlineData("^1.0.0", "1.0.0", true)]
    [InlineData("^1.0.0", "1.9.9", true)]
    [InlineData("^1.0.0", "2.0.0", false)]
    [InlineData("^1.2.3", "1.2.2", false)]
    [InlineData("^0.2.3", "0.2.9", true)]
    [InlineData("^0.2.3", "0.3.0", false)]
    [InlineData("^0.0.3", "0.0.3", true)]
    [InlineData("^0.0.3", "0.0.4", false)]
    [InlineData("^0.0", "0.0.9", true)]
    [InlineData("^0.0", "0.1.0", false)]
    [InlineData("^1.2", "1.9.0", true)]
    [InlineData("^1.x", "1.9.0", true)]
    [InlineData("^1.0.0.0", "1.5.2.7", true)]
    [InlineData("^1.0.0.0", "2.0.0.0", false)]
    [InlineData("^1.0.0.5", "1.0.0.4", false)]
    [InlineData("^0.0.0.5", "0.0.0.5", true)]
    [InlineData("^0.0.0.5", "0.0.0.6", false)]
    // tilde
    [InlineData("~1.2", "1.2.9", true)]
    [InlineData("~1.2", "1.3.0", false)]
    [InlineData("~1.2.3", "1.2.2", false)]
    [InlineData("~1.2.3", "1.2.7", true)]
    [InlineData("~1", "1.9.0", true)]
    [InlineData("~1", "2.0.0", false)]
    // wildcards
    [InlineData("1.x.x", "1.9.9", true)]
    [InlineData("1.x.x", "2.0.0", false)]
    [InlineData("1.x.x", "0.9.0", false)]
    [InlineData("1.2.x", "1.2.5", true)]
    [InlineData("1.2.x", "1.3.0", false)]
    [InlineData("1.x", "1.0.1", true)]
    [InlineData("1.X", "1.0.1", true)]
    [InlineData("1.*", "1.0.1", true)]
    [InlineData("1.2", "1.2.7", true)]
    [InlineData("1.x.x.x", "1.2.3.4", true)]
    [InlineData("1.x.x.x", "2.0.0.0", false)]
    [InlineData("1.2.x.x", "1.2.0.9", true)]
    [InlineData("1.2.3.x", "1.2.3.9", true)]
    [InlineData("1.2.3.x", "1.2.4.0", false)]
    [InlineData("1", "1.7.0", true)]
    [InlineData("1", "2.0.0", false)]
    [InlineData("v1.x", "1.7.0", true)]
    [InlineData("*", "0.0.1", true)]
    [InlineData("x", "99.0.0", true)]
    [InlineData("latest", "3.1.4", true)]
    // comparisons, AND, OR
    [InlineData(">=1.2.0 <2.0.0", "1.2.0", true)]
    [InlineData(">=1.2.0 <2.0.0", "1.99.0", true)]
    [InlineData(">=1.2.0 <2.0.0", "2.0.0", false)]
    [InlineData(">=1.2.0 <2.0.0", "1.1.9", false)]
    [InlineData(">= 1.2.0  < 2.0.0", "1.5.0", true)]
    [InlineData(">1.0", "1.0.9", false)]
    [InlineData(">1.0", "1.1.0", true)]
    [InlineData(">1.0.0", "1.0.1", true)]
    [InlineData("<=2", "2.9.9", true)]
    [InlineData("<=2", "3.0.0", false)]
    [InlineData("<=2.0.0", "2.0.1", false)]
    [InlineData("<1.2", "1.1.9", true)]
    [InlineData("<1.2", "1.2.0", false)]
    [InlineData(">=1.2", "1.2.0", true)]
    [InlineData("<2.0.0.5", "2.0.0.4", true)]
    [InlineData("^1.0.0 || ^3.0.0", "3.2.0", true)]
    [InlineData("^1.0.0 || ^3.0.0", "2.2.0", false)]
    [InlineData("1.2.3 || 1.2.5", "1.2.5", true)]
    [InlineData("1.2 - 1.4", "1.4.9", true)]
    [InlineData("1.2 - 1.4", "1.5.0", false)]
    [InlineData("1.2.3 - 2.3.4", "2.3.4", true)]
    [InlineData("1.2.3 - 2.3.4", "2.3.5", false)]
    public void Constraint_matches_tag_by_semver_rules(string constraint, string tag, bool expected)
    {
        Assert.Equal(expected, VersionConstraint.Parse(constraint).Matches(tag));
    }

    [Theory]
    [InlineData("^1.0.0", "1.5.0-rc.1", false, false)]
    [InlineData("^1.0.0", "1.5.0-rc.1", true, true)]
    [InlineData("*", "2.0.0-dev.3", false, false)]
    [InlineData("*", "2.0.0-dev.3", true, true)]
    [InlineData("latest", "2.0.0-dev.3", false, false)]
    [InlineData("^1.0.0", "2.0.0-rc.1", true, false)]
    [InlineData("1.x", "2.0.0-rc.1", true, false)]
    [InlineData("1.x", "1.0.0-rc.1", true, true)]
    [InlineData("^1.2.3-beta.2", "1.2.3-beta.4", false, true)]
    [InlineData("^1.2.3-beta.2", "1.2.3-beta.1", false, false)]
    [InlineData("^1.2.3-beta.2", "1.2.4-beta.1", false, false)]
    [InlineData("^1.2.3-beta.2", "1.2.4", false, true)]
    [InlineData(">=1.2.3-rc.1 <1.3.0", "1.2.3-rc.2", false, true)]
    [InlineData("~1.2.3-alpha", "1.2.3-alpha.7", false, true)]
    [InlineData("1.2.3-rc.1", "1.2.3-rc.1", false, true)]
    public void Prereleases_match_only_when_named_or_allowed(string constraint, string tag, bool allowPrerelease, bool expected)
    {
        var options = new VersionResolveOptions { AllowPrerelease = allowPrerelease };
        Assert.Equal(expected, VersionConstraint.Parse(constraint).Matches(tag, options));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("sha-abc123")]
    [InlineData("feature_x.2")]
    public void A_word_that_is_not_a_version_is_a_literal_tag(string constraint)
    {
        var parsed = VersionConstraint.Parse(constraint);

        Assert.Equal(constraint, parsed.LiteralTag);
        Assert.True(parsed.Matches(constraint));
        Assert.False(parsed.Matches(constraint + "x"));
        Assert.False(parsed.Matches("1.0.0"));
    }

    [Theory]
    [InlineData("v1.2.3", "1.2.3")]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("=2.0.0-rc.1", "2.0.0-rc.1")]
    public void Exact_constraint_exposes_its_version(string constraint, string expected)
    {
        Assert.Equal(expected, VersionConstraint.Parse(constraint).ExactVersion?.ToNormalizedString());
    }

    [Theory]
    [InlineData("^1.0.0")]
    [InlineData("1.x")]
    [InlineData("main")]
    [InlineData("latest")]
    public void Range_and_literal_constraints_have_no_exact_version(string constraint)
    {
        Assert.Null(VersionConstraint.Parse(constraint).ExactVersion);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("^", "has no version")]
    [InlineData(">=", "has no version")]
    [InlineData("^abc", "'^abc' is not a version")]
    [InlineData("1.x.3 <2", "'1.x.3' is not a version")]
    [InlineData(">*", "matches no version")]
    [InlineData("^1.0.0 ||", "empty")]
    [InlineData("!1.0.0", "not a version")]
    [InlineData("=>1.0.0", "not an operator")]
    [InlineData("1.2.x-rc.1 <2", "not a version")]
    public void Invalid_constraints_are_refused_with_the_reason(string constraint, string reason)
    {
        Assert.False(VersionConstraint.TryParse(constraint, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        var exception = Assert.Throws<FormatException>(() => VersionConstraint.Parse(constraint));
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_names_the_field_of_a_bad_constraint()
    {
        var errors = new ValidationErrors();

        VersionConstraint.Validate("^1.0.0", "services.ok", errors);
        VersionConstraint.Validate(">=", "services.user-service", errors);

        var error = Assert.Single(errors.ToDictionary());
        Assert.Equal("services.user-service", error.Key);
    }

    [Fact]
    public void Constraint_keeps_its_trimmed_text()
    {
        Assert.Equal(">=1.2.0 <2.0.0", VersionConstraint.Parse("  >=1.2.0 <2.0.0 ").Text);
    }
}
