using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gantry.Core.Buckets;

namespace Gantry.Buckets.Tests;

/// <summary>
/// What every <see cref="IObjectBucket"/> must do, run against a folder and against a real S3 server (s3rver).
/// Each test gets a new, empty bucket.
/// </summary>
public abstract class ObjectBucketContract
{
    protected abstract Task<IObjectBucket> CreateBucketAsync();

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes()
    {
        var bucket = await CreateBucketAsync();
        var claim = JsonSerializer.SerializeToUtf8Bytes(new { user = "ana", environment_pool = "team-a", environment_name = "dev-1", services = new { api = "1.2.3" } });

        await bucket.PutAsync("team-a/dev-1.json", claim);

        Assert.Equal(claim, await bucket.GetAsync("team-a/dev-1.json"));
    }

    [Fact]
    public async Task Listed_entries_carry_a_version_that_changes_with_each_put()
    {
        var bucket = await CreateBucketAsync();
        await bucket.PutAsync("team-a/dev-1.json", Encoding.UTF8.GetBytes("""{"v":1}"""));
        await bucket.PutAsync("team-a/dev-2.json", Encoding.UTF8.GetBytes("""{"v":1}"""));
        var first = await bucket.ListEntriesAsync("team-a/").ToListAsync();

        await Task.Delay(20);
        await bucket.PutAsync("team-a/dev-1.json", Encoding.UTF8.GetBytes("""{"v":22}"""));
        var second = await bucket.ListEntriesAsync("team-a/").ToListAsync();

        Assert.Equal(["team-a/dev-1.json", "team-a/dev-2.json"], first.Select(e => e.Key));
        Assert.Equal(first.Select(e => e.Key), await bucket.ListAsync("team-a/").ToListAsync());
        Assert.NotEqual(first[0].Version, second[0].Version);
        Assert.Equal(first[1].Version, second[1].Version);
    }

    [Fact]
    public async Task Put_replaces_the_whole_object()
    {
        var bucket = await CreateBucketAsync();
        await bucket.PutAsync("p/e.json", Encoding.UTF8.GetBytes("""{"version":"a-long-first-version"}"""));

        await bucket.PutAsync("p/e.json", Encoding.UTF8.GetBytes("""{"v":2}"""));

        Assert.Equal("""{"v":2}""", Encoding.UTF8.GetString((await bucket.GetAsync("p/e.json"))!));
    }

    [Fact]
    public async Task Missing_key_reads_null_and_deletes_false()
    {
        var bucket = await CreateBucketAsync();
        await bucket.PutAsync("p/other.json", "{}"u8.ToArray());

        Assert.Null(await bucket.GetAsync("p/missing.json"));
        Assert.Null(await bucket.GetAsync("nothing/here.json"));
        Assert.False(await bucket.DeleteAsync("p/missing.json"));
    }

    [Fact]
    public async Task Delete_removes_the_object_once()
    {
        var bucket = await CreateBucketAsync();
        await bucket.PutAsync("p/e.json", "{}"u8.ToArray());
        await bucket.PutAsync("p/f.json", "{}"u8.ToArray());

        Assert.True(await bucket.DeleteAsync("p/e.json"));
        Assert.False(await bucket.DeleteAsync("p/e.json"));

        Assert.Null(await bucket.GetAsync("p/e.json"));
        Assert.Equal(["p/f.json"], await ListAsync(bucket));
    }

    [Fact]
    public async Task Deleting_the_last_object_of_a_folder_leaves_the_bucket_usable()
    {
        var bucket = await CreateBucketAsync();
        await bucket.PutAsync("p/deep/e.json", "{}"u8.ToArray());

        Assert.True(await bucket.DeleteAsync("p/deep/e.json"));
        Assert.Empty(await ListAsync(bucket));

        await bucket.PutAsync("p/deep/e.json", "[1]"u8.ToArray());
        Assert.Equal("[1]", Encoding.UTF8.GetString((await bucket.GetAsync("p/deep/e.json"))!));
    }

    [Fact]
    public async Task List_returns_every_key_in_ordinal_order()
    {
        var bucket = await CreateBucketAsync();
        // A folder walk would give "a/..." before "a-b/..." and "a.c"; ordinal order puts '-' < '.' < '/'.
        string[] keys = ["a/x.json", "a-b/y.json", "a.c", "b/z/deep.json", "0.json", "a/w.json", "a_d/v.json"];
        foreach (var key in keys)
        {
            await bucket.PutAsync(key, Encoding.UTF8.GetBytes(key));
        }

        var listed = await ListAsync(bucket);

        Assert.Equal(keys.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task List_with_prefix_returns_only_matching_keys()
    {
        var bucket = await CreateBucketAsync();
        foreach (var key in new[] { "team-a/dev-1.json", "team-a/dev-2.json", "team-a/prod.json", "team-ab/dev-1.json", "team-b/dev-1.json" })
        {
            await bucket.PutAsync(key, "{}"u8.ToArray());
        }

        Assert.Equal(["team-a/dev-1.json", "team-a/dev-2.json", "team-a/prod.json"], await ListAsync(bucket, "team-a/"));
        Assert.Equal(["team-a/dev-1.json", "team-a/dev-2.json"], await ListAsync(bucket, "team-a/dev-"));
        Assert.Equal(["team-a/dev-1.json", "team-a/dev-2.json", "team-a/prod.json", "team-ab/dev-1.json"], await ListAsync(bucket, "team-a"));
        Assert.Empty(await ListAsync(bucket, "team-c/"));
    }

    [Theory]
    [InlineData("../x.json")]
    [InlineData("p/../../x.json")]
    [InlineData("/abs.json")]
    [InlineData("a//b.json")]
    [InlineData("a\\b.json")]
    [InlineData("a/b.json\0")]
    [InlineData("a/./b.json")]
    [InlineData("a/.hidden")]
    [InlineData("a/")]
    [InlineData("")]
    [InlineData("Upper/case.json")]
    [InlineData("sp ace.json")]
    [InlineData("a/b.json\n")]
    [InlineData("ünicode.json")]
    public async Task Hostile_keys_are_refused_by_every_operation(string key)
    {
        var bucket = await CreateBucketAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => bucket.PutAsync(key, "{}"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(() => bucket.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => bucket.DeleteAsync(key));
        Assert.Empty(await ListAsync(bucket));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/")]
    [InlineData("a//")]
    [InlineData("a\\")]
    [InlineData("a/.")]
    public async Task Hostile_prefixes_are_refused(string prefix)
    {
        var bucket = await CreateBucketAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => ListAsync(bucket, prefix));
    }

    [Fact]
    public async Task Too_long_keys_are_refused()
    {
        var bucket = await CreateBucketAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => bucket.PutAsync(new string('a', BucketKey.MaxSegmentLength + 1), "{}"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(() => bucket.PutAsync(string.Join('/', Enumerable.Repeat(new string('a', 100), 11)), "{}"u8.ToArray()));
    }

    [Fact]
    public async Task Big_object_round_trips()
    {
        var bucket = await CreateBucketAsync();
        // Larger than the SDK's 5 MiB part size, so S3 takes it as a multipart upload.
        var content = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 17);

        await bucket.PutAsync("big/object.bin", content);

        Assert.Equal(SHA256.HashData(content), SHA256.HashData((await bucket.GetAsync("big/object.bin"))!));
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        var bucket = await CreateBucketAsync();

        await bucket.PutAsync("p/empty.json", ReadOnlyMemory<byte>.Empty);

        Assert.Equal(0, (await bucket.GetAsync("p/empty.json"))?.Length);
        Assert.Equal(["p/empty.json"], await ListAsync(bucket));
    }

    [Fact]
    public async Task Concurrent_puts_of_one_key_leave_one_whole_version()
    {
        var bucket = await CreateBucketAsync();
        var versions = Enumerable.Range(0, 16)
            .Select(i => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { writer = i, padding = new string((char)('a' + i), 64 * 1024) })))
            .ToArray();

        await Task.WhenAll(versions.Select(v => Task.Run(() => bucket.PutAsync("p/contended.json", v))));

        var stored = await bucket.GetAsync("p/contended.json");
        Assert.Contains(versions, v => v.AsSpan().SequenceEqual(stored));
        Assert.Equal(["p/contended.json"], await ListAsync(bucket));
    }

    // A folder bucket removes folders a delete leaves empty while puts create them again: neither may fail the other.
    [Fact]
    public async Task Concurrent_puts_and_deletes_in_one_folder_all_complete()
    {
        var bucket = await CreateBucketAsync();
        var work = Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            var key = $"shared/e{i}.json";
            await bucket.PutAsync(key, "{}"u8.ToArray());
            if (i % 2 == 0)
            {
                Assert.True(await bucket.DeleteAsync(key));
            }
        }));

        await Task.WhenAll(work);

        Assert.Equal(Enumerable.Range(0, 24).Where(i => i % 2 == 1).Select(i => $"shared/e{i}.json").Order(StringComparer.Ordinal), await ListAsync(bucket));
    }

    protected static async Task<List<string>> ListAsync(IObjectBucket bucket, string prefix = "")
    {
        var keys = new List<string>();
        await foreach (var key in bucket.ListAsync(prefix))
        {
            keys.Add(key);
        }

        return keys;
    }
}
