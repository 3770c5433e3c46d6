using System.Text;
using Gantry.Core.Buckets;
using Gantry.Testing;
using Minio;
using Minio.DataModel.Args;

namespace Gantry.Buckets.Tests;

/// <summary>The contract against a real S3 server (s3rver), through the Minio SDK as in production.</summary>
public sealed class S3BucketTests(S3Server server) : ObjectBucketContract, IClassFixture<S3Server>, IDisposable
{
    private readonly List<S3Bucket> _buckets = [];

    protected override Task<IObjectBucket> CreateBucketAsync() => Task.FromResult<IObjectBucket>(Create(S3Server.NewBucketName()));

    [Fact]
    public async Task A_missing_bucket_is_created_on_first_use_and_objects_are_json()
    {
        var name = S3Server.NewBucketName();
        var bucket = Create(name);

        await bucket.PutAsync("team-a/dev-1.json", "{\"user\":\"ana\"}"u8.ToArray());

        // Read back with a client of its own: the object is really in the S3 bucket, typed as JSON.
        using var client = NewClient();
        var stat = await client.StatObjectAsync(new StatObjectArgs().WithBucket(name).WithObject("team-a/dev-1.json"));
        Assert.Equal("application/json", stat.ContentType);
        Assert.Equal(14, stat.Size);
    }

    [Fact]
    public async Task A_missing_bucket_is_an_error_when_creation_is_off()
    {
        var bucket = Track(S3Bucket.Create(Options(S3Server.NewBucketName(), createBucket: false)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bucket.GetAsync("p/e.json"));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_pages_through_more_keys_than_one_response_holds()
    {
        var bucket = Create(S3Server.NewBucketName());
        // S3 answers at most 1000 keys per ListObjects page.
        var keys = Enumerable.Range(0, 1010).Select(i => $"p/e{i:D4}.json").ToList();
        foreach (var chunk in keys.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(k => bucket.PutAsync(k, Encoding.UTF8.GetBytes(k))));
        }

        Assert.Equal(keys, await ListAsync(bucket, "p/"));
    }

    [Fact]
    public async Task Objects_with_keys_gantry_does_not_write_are_skipped_in_listings()
    {
        var name = S3Server.NewBucketName();
        var bucket = Create(name);
        await bucket.PutAsync("p/e.json", "{}"u8.ToArray());
        using var client = NewClient();
        using var body = new MemoryStream("x"u8.ToArray());
        await client.PutObjectAsync(new PutObjectArgs().WithBucket(name).WithObject("p/Upper Case.txt").WithStreamData(body).WithObjectSize(1));

        Assert.Equal(["p/e.json"], await ListAsync(bucket));
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets)
        {
            bucket.Dispose();
        }
    }

    private S3Bucket Create(string name) => Track(S3Bucket.Create(Options(name, createBucket: true)));

    private S3Bucket Track(S3Bucket bucket)
    {
        _buckets.Add(bucket);
        return bucket;
    }

    private ObjectBucketOptions Options(string name, bool createBucket) => new()
    {
        Provider = BucketProviders.S3,
        Endpoint = server.Endpoint,
        AccessKey = S3Server.AccessKey,
        SecretKey = S3Server.SecretKey,
        Region = "us-east-1",
        Bucket = name,
        CreateBucket = createBucket,
    };

    private IMinioClient NewClient() => new MinioClient()
        .WithEndpoint("127.0.0.1", server.Port)
        .WithCredentials(S3Server.AccessKey, S3Server.SecretKey)
        .WithRegion("us-east-1")
        .Build();
}
