using System.Net;
using System.Text.Json.Nodes;
using Gantry.Buckets;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// The environments bucket on a real S3 server (s3rver) through the Minio SDK: claims are created, listed and
/// deleted as objects holding the design's JSON.
/// </summary>
public sealed class S3EnvironmentTests(S3Server s3) : IClassFixture<S3Server>
{
    [Fact]
    public async Task Claims_land_in_the_s3_bucket_as_the_design_json_and_leave_with_the_environment()
    {
        var bucketName = S3Server.NewBucketName();
        await using var world = new AsyncWorld(new EnvironmentWorld(new Dictionary<string, string?>
        {
            ["Buckets:Provider"] = "s3",
            ["Buckets:Endpoint"] = s3.Endpoint,
            ["Buckets:AccessKey"] = S3Server.AccessKey,
            ["Buckets:SecretKey"] = S3Server.SecretKey,
            ["Buckets:Region"] = "us-east-1",
            ["Buckets:Environments:Bucket"] = bucketName,
        }));
        await world.World.InitializeAsync();
        var john = world.World.As("john.doe");
        var claim = EnvironmentApiTests.Example("dev-team1-feature-x");
        var created = await EnvironmentApiTests.Post(john, claim).ExpectAsync(HttpStatusCode.Created);

        using var reader = S3Bucket.Create(new ObjectBucketOptions
        {
            Provider = BucketProviders.S3,
            Endpoint = s3.Endpoint,
            AccessKey = S3Server.AccessKey,
            SecretKey = S3Server.SecretKey,
            Region = "us-east-1",
            Bucket = bucketName,
            CreateBucket = false,
        });
        var keys = await reader.ListAsync("team1/").ToListAsync();
        Assert.Contains("team1/dev-team1-feature-x.json", keys);
        Assert.Contains("team1/dev-team1-feature-x/services/user-service.yaml", keys);
        var stored = JsonNode.Parse((await reader.GetAsync("team1/dev-team1-feature-x.json"))!)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(created.GetRawText()), stored));
        foreach (var field in new[] { "environment_name", "environment_type", "environment_pool", "user", "creation_date", "expiration_date", "services" })
        {
            Assert.True(stored.AsObject().ContainsKey(field), field);
        }

        await john.DeleteAsync(new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative)).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Empty(await reader.ListAsync("team1/").ToListAsync());
    }

    [Fact]
    public async Task A_claim_uploaded_with_a_plain_s3_client_is_applied_within_5_seconds_a_broken_one_is_invalid_and_a_removed_one_torn_down()
    {
        var bucketName = S3Server.NewBucketName();
        await using var world = new AsyncWorld(new EnvironmentWorld(new Dictionary<string, string?>
        {
            ["Buckets:Provider"] = "s3",
            ["Buckets:Endpoint"] = s3.Endpoint,
            ["Buckets:AccessKey"] = S3Server.AccessKey,
            ["Buckets:SecretKey"] = S3Server.SecretKey,
            ["Buckets:Region"] = "us-east-1",
            ["Buckets:Environments:Bucket"] = bucketName,
            ["Environments:WatchInterval"] = "00:00:00.500",
        }));
        await world.World.InitializeAsync();
        using var uploader = S3Bucket.Create(new ObjectBucketOptions
        {
            Provider = BucketProviders.S3,
            Endpoint = s3.Endpoint,
            AccessKey = S3Server.AccessKey,
            SecretKey = S3Server.SecretKey,
            Region = "us-east-1",
            Bucket = bucketName,
            CreateBucket = false,
        });
        var john = world.World.As("john.doe");
        var url = new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative);

        // The design's claim file, as it is.
        await uploader.PutAsync("team1/dev-team1-feature-x.json", await File.ReadAllBytesAsync(
            InteropFiles.InRepository("tests", "Gantry.Core.Tests", "Environments", "claims", "dev-team1-feature-x.json")));
        Assert.True(await WithinAsync(TimeSpan.FromSeconds(5), async () => (await john.GetAsync(url)).StatusCode == HttpStatusCode.OK));
        Assert.Contains("team1/dev-team1-feature-x/services/user-service.yaml", await uploader.ListAsync("team1/").ToListAsync());
        var listed = await john.GetAsync(new Uri("/api/v1/environments", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("dev-team1-feature-x", listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("environment_name").GetString()));

        await uploader.PutAsync("team1/dev-broken.json", "{ broken"u8.ToArray());
        Assert.True(await WithinAsync(TimeSpan.FromSeconds(5), async () =>
            (await john.GetAsync(new Uri("/api/v1/environments", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK))
                .GetProperty("invalid").EnumerateArray().Any(p => p.GetProperty("key").GetString() == "team1/dev-broken.json")));
        Assert.DoesNotContain(await uploader.ListAsync("team1/").ToListAsync(), k => k.StartsWith("team1/dev-broken/", StringComparison.Ordinal));

        await uploader.DeleteAsync("team1/dev-team1-feature-x.json");
        Assert.True(await WithinAsync(TimeSpan.FromSeconds(5), async () => (await john.GetAsync(url)).StatusCode == HttpStatusCode.NotFound));
        Assert.True(await WithinAsync(TimeSpan.FromSeconds(5), async () =>
            (await uploader.ListAsync("team1/dev-team1-feature-x/").ToListAsync()).Count == 0));
    }

    private static async Task<bool> WithinAsync(TimeSpan limit, Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }

    private sealed class AsyncWorld(EnvironmentWorld world) : IAsyncDisposable
    {
        public EnvironmentWorld World { get; } = world;

        public async ValueTask DisposeAsync() => await World.DisposeAsync();
    }
}
