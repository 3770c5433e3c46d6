using System.Text.Json.Nodes;
using Gantry.Core.Yaml;

namespace Gantry.Core.Tests.Yaml;

public sealed class YamlRoundTripTests
{
    [Theory]
    [InlineData("3\nimage: evil")]
    [InlineData("true")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("0x1F")]
    [InlineData("1e3")]
    [InlineData("0777")]
    [InlineData("1_000")]
    [InlineData("12:30")]
    [InlineData("OFF")]
    [InlineData("-")]
    [InlineData(".5")]
    [InlineData("- item")]
    [InlineData("key: value")]
    [InlineData("&anchor value")]
    [InlineData("*alias")]
    [InlineData("!!python/object:os.system")]
    [InlineData("{{ .Values.x }}")]
    [InlineData("--- \n...")]
    [InlineData("#comment")]
    [InlineData("'quoted'")]
    [InlineData("\"double\"")]
    [InlineData("tab\there")]
    [InlineData("  leading space")]
    [InlineData("\ttab first")]
    [InlineData("trailing ")]
    [InlineData("")]
    public void Hostile_strings_stay_strings_through_write_and_read(string hostile)
    {
        var document = new JsonObject { ["replicaCount"] = 1, ["image"] = new JsonObject { ["tag"] = hostile } };

        var yaml = YamlWriter.Write(document);
        var back = YamlJson.Parse(yaml)!.AsObject();

        Assert.Equal(["replicaCount", "image"], back.Select(p => p.Key));
        Assert.Equal(hostile, back["image"]!["tag"]!.GetValue<string>());
        Assert.Equal(1, back["replicaCount"]!.GetValue<long>());
    }

    [Fact]
    public void Plain_scalars_take_their_yaml_1_2_types_and_quoted_ones_stay_strings()
    {
        var node = YamlJson.Parse("""
            int: 3
            negative: -4
            float: 1.5
            yes12: yes
            bool: true
            nothing: null
            quoted: "3"
            single: 'true'
            text: hello
            """)!.AsObject();

        Assert.Equal(3, node["int"]!.GetValue<long>());
        Assert.Equal(-4, node["negative"]!.GetValue<long>());
        Assert.Equal(1.5m, node["float"]!.GetValue<decimal>());
        Assert.Equal("yes", node["yes12"]!.GetValue<string>());
        Assert.True(node["bool"]!.GetValue<bool>());
        Assert.Null(node["nothing"]);
        Assert.Equal("3", node["quoted"]!.GetValue<string>());
        Assert.Equal("true", node["single"]!.GetValue<string>());
        Assert.Equal("hello", node["text"]!.GetValue<string>());
    }

    [Fact]
    public void An_alias_bomb_is_refused_not_expanded()
    {
        var bomb = """
            a: &a ["x","x","x","x","x","x","x","x","x","x"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
            """;

        var error = Assert.Throws<YamlReadException>(() => YamlJson.Parse(bomb));
        Assert.Contains("aliases are not accepted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_with_the_path()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 100)) + string.Concat(Enumerable.Repeat("]", 100));

        var error = Assert.Throws<YamlReadException>(() => YamlJson.Parse(deep));
        Assert.Contains("deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_and_syntax_errors_are_reported_with_where()
    {
        Assert.Contains("twice", Assert.Throws<YamlReadException>(() => YamlJson.Parse("a: 1\na: 2")).Message, StringComparison.Ordinal);
        Assert.Contains("line", Assert.Throws<YamlReadException>(() => YamlJson.Parse("a: [1, 2")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_documents_are_separated()
    {
        var yaml = YamlWriter.WriteAll([new JsonObject { ["kind"] = "A" }, new JsonObject { ["kind"] = "B" }]);

        Assert.Equal("kind: A\n---\nkind: B\n", yaml);
    }
}
