using Gantry.Core.Yaml;

namespace Gantry.Core.Tests.Yaml;

/// <summary>YAML files (CLI values, offerings, service definitions) meet the same rules as JSON bodies, with the line and column.</summary>
public sealed class YamlInputRulesTests
{
    private static string Refused(string yaml) => Assert.Throws<YamlReadException>(() => YamlJson.Parse(yaml)).Message;

    [Theory]
    [InlineData("99999999999999999999999999")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    public void A_whole_number_beyond_64_bits_is_refused_with_its_line_and_the_range(string number)
    {
        var message = Refused($"image:\n  tag: v1\nreplicaCount: {number}\n");

        Assert.StartsWith("line 3, column 15: $.replicaCount: ", message, StringComparison.Ordinal);
        Assert.Contains("between -9223372036854775808 and 9223372036854775807", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_number_quoted_stays_text() =>
        Assert.Equal("99999999999999999999999999", (string?)YamlJson.Parse("n: \"99999999999999999999999999\"")!["n"]);

    [Fact]
    public void A_number_beyond_double_range_is_refused() => Assert.Contains("must be finite", Refused("x: 1e400"), StringComparison.Ordinal);

    [Fact]
    public void A_lone_surrogate_escape_is_refused() => Assert.Contains("line 1", Refused("tag: \"a\\ud800b\""), StringComparison.Ordinal);

    [Fact]
    public void A_lone_surrogate_key_escape_is_refused() => Assert.Contains("line 1", Refused("\"a\\udc00\": 1"), StringComparison.Ordinal);

    [Fact]
    public void A_paired_surrogate_escape_is_text() => Assert.Equal("😀", (string?)YamlJson.Parse("e: \"\\ud83d\\ude00\"")!["e"]);

    [Fact]
    public void A_duplicate_key_names_its_line() => Assert.StartsWith("line 3, column 3: $.a: key 'b' appears twice", Refused("a:\n  b: 1\n  b: 2\n"), StringComparison.Ordinal);

    [Fact]
    public void Deep_nesting_names_its_line() => Assert.StartsWith("line 1, column ", Refused(new string('[', 100) + new string(']', 100)), StringComparison.Ordinal);

    [Fact]
    public void Json_in_a_values_file_meets_the_same_rules() =>
        Assert.Contains("appears twice", Refused("""{"a": 1, "a": 2}"""), StringComparison.Ordinal);
}
