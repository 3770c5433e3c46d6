using System.Text;

namespace Gantry.Cli.Tests;

/// <summary>
/// The CLI's input files (values for <c>apply -f</c>, YAML or JSON, and its own config file) meet the rules the server
/// holds request bodies to, and a file that breaks one is refused before anything is sent, naming the file, the line
/// and what to change.
/// </summary>
[Collection(SharedGantryServer.Name)]
public sealed class InputFileTests(GantryServer server)
{
    public static TheoryData<string, byte[], string> BadValuesFiles => new()
    {
        { "big.yaml", "replicaCount: 99999999999999999999999999\n"u8.ToArray(), "line 1, column 15: $.replicaCount: 99999999999999999999999999 is out of range" },
        { "dup.yaml", "persistence:\n  size: 1Gi\n  size: 2Gi\n"u8.ToArray(), "line 3, column 3: $.persistence: key 'size' appears twice" },
        { "dup.json", "{\"replicaCount\": 1,\n \"replicaCount\": 2}"u8.ToArray(), "line 2, column 2: $: key 'replicaCount' appears twice" },
        { "bytes.yaml", [.. "image:\n  tag: \""u8, 0xC3, 0x28, .. "\"\n"u8], "is not UTF-8 text: line 2, byte 9" },
        { "deep.json", Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 80) + new string(']', 80) + "}"), "nested deeper than 64 levels" },
        { "inf.yaml", "ratio: 1e999\n"u8.ToArray(), "$.ratio: 1e999 is out of range: numbers must be finite" },
    };

    [Theory]
    [MemberData(nameof(BadValuesFiles))]
    public async Task A_values_file_that_breaks_the_input_rules_is_refused_naming_file_and_position_and_nothing_is_applied(string name, byte[] content, string expected)
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, name);
        await File.WriteAllBytesAsync(file, content);
        var instance = "in" + Path.GetFileNameWithoutExtension(name);

        var result = await user.RunAsync("instances", "apply", instance, "--offering", "qdrant", "-f", file);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains(file, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, (await user.RunAsync("instances", "get", instance)).ExitCode);
    }

    [Fact]
    public async Task A_values_file_on_standard_input_meets_the_same_rules()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");

        var result = await user.RunWithInputAsync("a: 1\na: 2\n", "instances", "apply", "instdin", "--offering", "qdrant", "-f", "-");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("standard input: line 2, column 1: $: key 'a' appears twice", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_with_a_key_twice_is_refused_naming_its_line()
    {
        using var user = new CliUser(server);
        Directory.CreateDirectory(Path.GetDirectoryName(user.ConfigPath)!);
        await File.WriteAllTextAsync(user.ConfigPath, "{\n  \"current\": \"a\",\n  \"current\": \"b\"\n}");

        var result = await user.RunAsync("context", "list");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"the config file {user.ConfigPath}, line 3, byte 3: 'current' is given twice", result.Stderr, StringComparison.Ordinal);
    }
}
