using Gantry.Core.Buckets;
using Gantry.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gantry.Buckets.Tests;

public sealed class BucketRegistrationTests : IDisposable
{
    private readonly TempFolder _folder = new("gantry-bucket-config");

    [Fact]
    public async Task Default_is_a_folder_named_after_the_bucket_under_the_data_directory()
    {
        using var services = Build(new() { }, o => o.DataDirectory = _folder.Path);

        var bucket = services.GetRequiredKeyedService<IObjectBucket>(BucketServiceCollectionExtensions.Environments);
        await bucket.PutAsync("team-a/dev-1.json", "{}"u8.ToArray());

        Assert.IsType<FileSystemBucket>(Assert.IsType<MeteredBucket>(bucket).Inner);
        Assert.True(File.Exists(_folder.Combine("buckets", "environments", "team-a", "dev-1.json")));
    }

    [Fact]
    public void Per_bucket_section_overrides_the_shared_one()
    {
        using var services = Build(new()
        {
            ["Buckets:Path"] = _folder.Combine("shared"),
            ["Buckets:Environments:Bucket"] = "claims",
        });

        var bucket = Assert.IsType<FileSystemBucket>(Assert.IsType<MeteredBucket>(services.GetRequiredKeyedService<IObjectBucket>("environments")).Inner);

        Assert.Equal(_folder.Combine("shared", "claims"), bucket.Root);
    }

    [Fact]
    public void S3_settings_that_are_missing_are_each_named()
    {
        using var services = Build(new() { ["Buckets:Provider"] = "s3", ["Buckets:SecretKey"] = "do-not-show-me" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<ObjectBucketOptions>>().Get("environments"));

        var message = string.Join(" ", error.Failures);
        Assert.Contains("Buckets:Endpoint must be set", message, StringComparison.Ordinal);
        Assert.Contains("Buckets:AccessKey must be set", message, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-show-me", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Buckets:Provider", "ftp", "Buckets:Provider 'ftp' is not supported")]
    [InlineData("Buckets:Endpoint", "http://minio:9000/path", "Buckets:Endpoint must be host[:port]")]
    [InlineData("Buckets:Bucket", "No_Such", "is not a valid S3 bucket name")]
    public void Bad_s3_values_are_named(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Buckets:Provider"] = "s3",
            ["Buckets:Endpoint"] = "minio:9000",
            ["Buckets:AccessKey"] = "gantry",
            ["Buckets:SecretKey"] = "secret",
            [key] = value,
        };
        using var services = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<ObjectBucketOptions>>().Get("environments"));

        Assert.Contains(expected, string.Join(" ", error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("minio:9000", null, "minio", 9000, true)]
    [InlineData("http://127.0.0.1:9000", null, "127.0.0.1", 9000, false)]
    [InlineData("https://s3.example.org", null, "s3.example.org", 443, true)]
    [InlineData("minio", false, "minio", 80, false)]
    public void Endpoint_forms_are_read(string endpoint, bool? useSsl, string host, int port, bool ssl)
    {
        var parsed = S3Endpoint.Parse(endpoint, useSsl);

        Assert.Equal(new S3Endpoint(host, port, ssl), parsed);
    }

    [Fact]
    public void Scheme_and_use_ssl_must_agree()
    {
        Assert.Null(S3Endpoint.TryParse("http://minio:9000", true, out var problem));
        Assert.Contains("UseSsl", problem, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<ObjectBucketOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddObjectBucket(configuration, configure: configure).BuildServiceProvider();
    }
}
