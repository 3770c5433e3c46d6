using Gantry.Core.State;
using Gantry.Core.Validation;

namespace Gantry.Core.Tests;

public sealed class StatePathTests
{
    [Theory]
    [InlineData("values.yaml")]
    [InlineData("tenants/acme/values.yaml")]
    [InlineData("tenants/a/.gitignore")]
    [InlineData("a/..b/c")]
    [InlineData("dir/файл.yaml")]
    [InlineData("emoji/😀.txt")]
    public void Normal_relative_paths_are_accepted(string path) => Assert.True(StatePath.IsValid(path));

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../x")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("a\\b")]
    [InlineData(".git")]
    [InlineData("a/.git/config")]
    [InlineData("a/.GiT/config")]
    [InlineData("a/.git./config")]
    [InlineData("a/git~1/config")]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    [InlineData("a\u007fb")]
    public void Hostile_paths_are_refused(string path) => Assert.False(StatePath.IsValid(path));

    [Fact]
    public void Over_long_names_and_paths_are_refused()
    {
        Assert.True(StatePath.IsValid(new string('a', 255)));
        Assert.False(StatePath.IsValid(new string('a', 256)));
        Assert.False(StatePath.IsValid(string.Join('/', Enumerable.Repeat(new string('a', 200), 6))));
        Assert.False(StatePath.IsValid(new string('a', 10_000)));
    }

    [Fact]
    public void Lone_surrogates_are_refused() => Assert.False(StatePath.IsValid("a\ud800b"));

    [Fact]
    public void The_root_is_a_folder_but_not_a_file()
    {
        Assert.Null(StatePath.CheckFolder(""));
        Assert.NotNull(StatePath.Check(""));
    }

    [Fact]
    public void A_change_names_every_bad_field()
    {
        var change = new Change
        {
            Puts = new Dictionary<string, ReadOnlyMemory<byte>> { ["../x"] = new byte[1], ["ok.txt"] = new byte[1] },
            Deletes = ["/abs"],
            Author = new ChangeAuthor("", "a@b"),
            Message = " ",
            Tenant = "a\nb",
            BaseRevision = "HEAD",
        };

        var problem = Assert.Throws<ValidationFailedException>(change.EnsureValid);
        Assert.Equal(["author.name", "baseRevision", "deletes[0]", "message", "puts[../x]", "tenant"], problem.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Tenant_folders_fan_out_over_three_hex_levels()
    {
        var folder = StateLayout.TenantFolder("acme");
        Assert.Matches("^tenants/[0-9a-f]/[0-9a-f]/[0-9a-f]/acme$", folder);
        Assert.Equal(folder, StateLayout.TenantFolder("acme"));
        Assert.True(StatePath.IsValid(folder + "/values.yaml"));
    }
}
