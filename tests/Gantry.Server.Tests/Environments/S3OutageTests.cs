using System.Net;
using Gantry.Buckets;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// The environments bucket unreachable (its S3 server stopped as a crash would): environment writes fail with 503, a
/// Retry-After and words that name the bucket, nothing is indexed or written, and the same requests succeed once the
/// server is back.
/// </summary>
public sealed class S3OutageTests
{
    [Fact]
    public async Task Environment_writes_fail_in_words_while_the_bucket_is_down_and_nothing_is_half_written()
    {
        var s3 = new S3Server();
        await s3.InitializeAsync();
        try
        {
            var bucketName = S3Server.NewBucketName();
            var world = new EnvironmentWorld(new Dictionary<string, string?>
            {
                ["Buckets:Provider"] = "s3",
                ["Buckets:Endpoint"] = s3.Endpoint,
                ["Buckets:AccessKey"] = S3Server.AccessKey,
                ["Buckets:SecretKey"] = S3Server.SecretKey,
                ["Buckets:Region"] = "us-east-1",
                ["Buckets:Environments:Bucket"] = bucketName,
            });
            await world.InitializeAsync();
            try
            {
                await OutageAsync(s3, world, bucketName);
            }
            finally
            {
                await world.DisposeAsync();
            }
        }
        finally
        {
            await s3.DisposeAsync();
        }
    }

    private static async Task OutageAsync(S3Server s3, EnvironmentWorld world, string bucketName)
    {
        var john = world.As("john.doe");
        await EnvironmentApiTests.Post(john, EnvironmentApiTests.Example("dev-team1-feature-x")).ExpectAsync(HttpStatusCode.Created);
        var before = await john.GetAsync(new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        var during = EnvironmentApiTests.Example("dev-team1-feature-x");
        during["environment_name"] = "dev-team1-outage";

        await s3.StopAsync();
        var create = await EnvironmentApiTests.Post(john, during);
        var refresh = await john.PostAsync(new Uri("/api/v1/environments/dev-team1-feature-x/refresh", UriKind.Relative), null);
        var delete = await john.DeleteAsync(new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative));

        foreach (var refused in new[] { create, refresh, delete })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            var problem = await refused.Content.ReadAsStringAsync();
            Assert.Contains("bucket", problem, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(bucketName, problem, StringComparison.Ordinal);
        }

        await s3.StartAsync();
        await john.GetAsync(new Uri("/api/v1/environments/dev-team1-outage", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
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
        Assert.DoesNotContain(keys, k => k.Contains("dev-team1-outage", StringComparison.Ordinal));
        Assert.Contains("team1/dev-team1-feature-x.json", keys);
        var after = await john.GetAsync(new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(before.GetRawText(), after.GetRawText());

        // The same requests, sent again, now land.
        await EnvironmentApiTests.Post(john, during).ExpectAsync(HttpStatusCode.Created);
        await john.DeleteAsync(new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative)).ExpectAsync(HttpStatusCode.NoContent);
    }
}
