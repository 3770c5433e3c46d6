using Gantry.Core.Buckets;
using Gantry.Testing;

namespace Gantry.Buckets.Tests;

public sealed class FileSystemBucketTests : ObjectBucketContract, IDisposable
{
    private readonly TempFolder _folder = new("gantry-bucket");

    protected override Task<IObjectBucket> CreateBucketAsync() =>
        Task.FromResult<IObjectBucket>(new FileSystemBucket(_folder.Combine("environments")));

    [Fact]
    public async Task Objects_are_files_under_the_root_and_temp_files_never_remain()
    {
        var bucket = new FileSystemBucket(_folder.Combine("environments"));

        await bucket.PutAsync("team-a/dev-1.json", "{}"u8.ToArray());
        await bucket.PutAsync("team-a/dev-1.json", "{\"v\":2}"u8.ToArray());

        Assert.Equal("{\"v\":2}", await File.ReadAllTextAsync(_folder.Combine("environments", "team-a", "dev-1.json")));
        Assert.Equal([_folder.Combine("environments", "team-a", "dev-1.json")], Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Files_that_are_not_valid_keys_are_not_listed()
    {
        var bucket = new FileSystemBucket(_folder.Combine("environments"));
        await bucket.PutAsync("team-a/dev-1.json", "{}"u8.ToArray());
        // What a killed writer leaves behind, and what someone may drop in by hand.
        await File.WriteAllTextAsync(_folder.Combine("environments", "team-a", ".put-0123"), "half");
        await File.WriteAllTextAsync(_folder.Combine("environments", "team-a", "Notes.TXT"), "x");

        Assert.Equal(["team-a/dev-1.json"], await ListAsync(bucket));
    }

    [Fact]
    public async Task A_folder_of_other_keys_is_not_an_object()
    {
        var bucket = new FileSystemBucket(_folder.Combine("environments"));
        await bucket.PutAsync("team-a/dev-1.json", "{}"u8.ToArray());

        Assert.Null(await bucket.GetAsync("team-a"));
        Assert.False(await bucket.DeleteAsync("team-a"));
        Assert.Equal(["team-a/dev-1.json"], await ListAsync(bucket));
    }

    public void Dispose() => _folder.Dispose();
}
