using System.Text;
using Gantry.Core.Validation;

namespace Gantry.Core.Tests;

public sealed class JsonInputTests
{
    private static JsonInputException Refused(string json) => Assert.Throws<JsonInputException>(() => JsonInput.Check(Encoding.UTF8.GetBytes(json)));

    private static JsonInputException Refused(byte[] utf8) => Assert.Throws<JsonInputException>(() => JsonInput.Check(utf8));

    [Theory]
    [InlineData("""{"a":1,"b":[1,2,{"c":"d"}],"e":null,"f":true,"g":-9223372036854775808,"h":1.5e300}""")]
    [InlineData("""{"emoji":"\ud83d\ude00","raw":"😀"}""")]
    [InlineData("[]")]
    public void A_well_formed_document_passes(string json) => JsonInput.Check(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("99999999999999999999999999")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    public void A_whole_number_beyond_64_bits_names_the_field_and_the_range(string number)
    {
        var e = Refused("{\"values\":{\"replicaCount\":" + number + "}}");

        Assert.Equal("values.replicaCount", e.Field);
        Assert.Contains("'values.replicaCount'", e.Message, StringComparison.Ordinal);
        Assert.Contains("between -9223372036854775808 and 9223372036854775807", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_number_beyond_double_range_is_refused() => Assert.Equal("x[1]", Refused("""{"x":[1,1e400]}""").Field);

    [Fact]
    public void A_lone_surrogate_escape_is_refused()
    {
        var e = Refused("""{"tag":"a\ud800b"}""");
        Assert.Equal("tag", e.Field);
        Assert.Contains("lone surrogate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_in_a_key_is_refused() => Assert.Contains("lone surrogate", Refused("""{"a\udc00":1}""").Message, StringComparison.Ordinal);

    [Fact]
    public void A_lone_surrogate_in_text_is_refused() =>
        Assert.Contains("lone surrogate", Assert.Throws<JsonInputException>(() => JsonInput.Check("{\"a\":\"x\ud800\"}")).Message, StringComparison.Ordinal);

    [Fact]
    public void Raw_bytes_that_are_not_utf8_in_a_string_are_refused()
    {
        byte[] body = [.. "{\"tag\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var e = Refused(body);
        Assert.Equal("tag", e.Field);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_refused_not_last_one_wins()
    {
        var e = Refused("""{"values":{"a":1,"b":2,"a":3}}""");
        Assert.Equal("values.a", e.Field);
        Assert.Contains("twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_key_in_sibling_objects_is_fine() => JsonInput.Check("""[{"a":1},{"a":2}]"""u8);

    [Fact]
    public void Nesting_beyond_the_limit_names_the_limit()
    {
        var e = Refused(new string('[', JsonInput.MaxDepth + 1) + new string(']', JsonInput.MaxDepth + 1));
        Assert.Contains($"deeper than {JsonInput.MaxDepth} levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_at_the_limit_passes() => JsonInput.Check(Encoding.UTF8.GetBytes(new string('[', JsonInput.MaxDepth) + new string(']', JsonInput.MaxDepth)));

    [Theory]
    [InlineData("{\"a\": NaN}", 1, 7)]
    [InlineData("{\"a\": 1} trailing", 1, 10)]
    [InlineData("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7)]
    public void A_syntax_error_says_the_line_and_byte(string json, int line, int position)
    {
        var e = Refused(json);
        Assert.Equal(line, e.Line);
        Assert.Equal(position, e.BytePosition);
        Assert.Contains($"line {line}, byte {position}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_checks_before_it_parses() => Assert.Throws<JsonInputException>(() => JsonInput.Parse("""{"a":1,"a":2}"""));

    [Fact]
    public void A_file_check_names_the_file_line_and_byte_of_a_rule_broken()
    {
        var e = Assert.Throws<JsonInputException>(() => JsonInput.CheckFile("{\n  \"a\": 1,\n  \"a\": 2\n}"u8, "config.json"));

        Assert.Equal("config.json, line 3, byte 3: 'a' is given twice; each key may appear once in an object.", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void A_file_check_names_the_file_line_and_byte_of_a_syntax_error() =>
        Assert.StartsWith("x.json, line 2, byte 8: not valid JSON: ",
            Assert.Throws<JsonInputException>(() => JsonInput.CheckFile("{\n  \"a\": NaN}"u8, "x.json")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_settings_file_may_hold_comments_and_trailing_commas_but_not_duplicates()
    {
        JsonInput.CheckFile("{\n  // a comment\n  \"a\": 1,\n}"u8, "appsettings.json", allowComments: true);
        Assert.Throws<JsonInputException>(() => JsonInput.CheckFile("{\"a\": 1, /* x */ \"a\": 2}"u8, "appsettings.json", allowComments: true));
        Assert.Throws<JsonInputException>(() => JsonInput.CheckFile("{\"a\": 1, // x\n}"u8, "claim.json"));
    }
}
