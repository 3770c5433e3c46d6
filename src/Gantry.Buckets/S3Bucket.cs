using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gantry.Core.Buckets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Gantry.Buckets;

/// <summary>
/// A bucket in an S3-compatible store (MinIO in production) through the Minio SDK. S3 replaces a whole object per
/// PUT, so puts are atomic per key; listing is paginated by the SDK and sorted into the ordinal order the port
/// promises. The bucket is created on first use when it
/// is missing and <see cref="ObjectBucketOptions.CreateBucket"/> allows it.
/// </summary>
public sealed partial class S3Bucket : IObjectBucket, IDisposable
{
    private readonly IMinioClient _client;
    private readonly string _bucket;
    private readonly string? _region;
    private readonly bool _createBucket;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _readyGate = new(1, 1);
    private volatile bool _ready;

    /// <param name="client">A built Minio client; the bucket owns and disposes it.</param>
    /// <param name="bucket">The S3 bucket's name.</param>
    /// <param name="region">The region a missing bucket is created in; null for the store's default.</param>
    /// <param name="createBucket">Create the bucket on first use when it is missing.</param>
    /// <param name="logger">Where bucket creation and skipped foreign objects are logged.</param>
    public S3Bucket(IMinioClient client, string bucket, string? region = null, bool createBucket = true, ILogger<S3Bucket>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        _client = client;
        _bucket = bucket;
        _region = string.IsNullOrWhiteSpace(region) ? null : region;
        _createBucket = createBucket;
        _logger = logger ?? NullLogger<S3Bucket>.Instance;
    }

    /// <summary>The S3 bucket's name.</summary>
    public string Name => _bucket;

    /// <summary>Builds the Minio client from checked options (endpoint, credentials, TLS, region).</summary>
    public static S3Bucket Create(ObjectBucketOptions options, ILogger<S3Bucket>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = S3Endpoint.Parse(options.Endpoint!, options.UseSsl);
        var client = new MinioClient()
            .WithEndpoint(endpoint.Host, endpoint.Port)
            .WithSSL(endpoint.UseSsl)
            .WithCredentials(options.AccessKey, options.ResolveSecretKey());
        if (!string.IsNullOrWhiteSpace(options.Region))
        {
            client = client.WithRegion(options.Region);
        }

        return new S3Bucket(client.Build(), options.ResolveBucketName(), options.Region, options.CreateBucket, logger);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        BucketKey.EnsureValid(key);
        try
        {
            await EnsureReadyAsync(cancellationToken);
            using var stream = MemoryMarshal.TryGetArray(content, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(content.ToArray(), writable: false);
            await _client.PutObjectAsync(new PutObjectArgs()
                .WithBucket(_bucket)
                .WithObject(key)
                .WithStreamData(stream)
                .WithObjectSize(content.Length)
                .WithContentType(ContentTypeOf(key)), cancellationToken);
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw new BucketUnavailableException(_bucket, e);
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        BucketKey.EnsureValid(key);
        using var buffer = new MemoryStream();
        try
        {
            await EnsureReadyAsync(cancellationToken);
            await _client.GetObjectAsync(new GetObjectArgs()
                .WithBucket(_bucket)
                .WithObject(key)
                .WithCallbackStream((stream, ct) => stream.CopyToAsync(buffer, ct)), cancellationToken);
        }
        catch (Exception e) when (IsNoSuchKey(e))
        {
            return null;
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw new BucketUnavailableException(_bucket, e);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// S3's DELETE answers the same whether or not the object existed, so the object is looked up first; of two
    /// concurrent deletes of one key both may answer true.
    /// </summary>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        BucketKey.EnsureValid(key);
        try
        {
            await EnsureReadyAsync(cancellationToken);
            try
            {
                await _client.StatObjectAsync(new StatObjectArgs().WithBucket(_bucket).WithObject(key), cancellationToken);
            }
            catch (Exception e) when (IsNoSuchKey(e))
            {
                return false;
            }

            await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_bucket).WithObject(key), cancellationToken);
            return true;
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw new BucketUnavailableException(_bucket, e);
        }
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in ListEntriesAsync(prefix, cancellationToken))
        {
            yield return entry.Key;
        }
    }

    public async IAsyncEnumerable<BucketEntry> ListEntriesAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BucketKey.EnsureValidPrefix(prefix);
        var keys = new List<BucketEntry>();
        try
        {
            await EnsureReadyAsync(cancellationToken);
            var args = new ListObjectsArgs().WithBucket(_bucket).WithRecursive(true);
            if (prefix.Length > 0)
            {
                args = args.WithPrefix(prefix);
            }

            await foreach (var item in _client.ListObjectsEnumAsync(args, cancellationToken))
            {
                if (item.IsDir)
                {
                    continue;
                }

                if (!BucketKey.IsValid(item.Key))
                {
                    // Written by something other than Gantry; no caller could read it through this port.
                    Log.ForeignKeySkipped(_logger, _bucket, item.Key);
                    continue;
                }

                keys.Add(new BucketEntry(item.Key, $"{item.ETag}/{item.Size}"));
            }
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw new BucketUnavailableException(_bucket, e);
        }

        // S3 lists in UTF-8 byte order, but S3-compatible stores built on a file system (s3rver) list folder by
        // folder ("a/x" before "a-b/y"); sorting here keeps the port's ordinal promise on every store.
        keys.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var key in keys)
        {
            yield return key;
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _readyGate.Dispose();
    }

    /// <summary>Checks once that the bucket exists (creating it when allowed), so a missing bucket is named clearly.</summary>
    private async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _readyGate.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }

            if (!await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(_bucket), cancellationToken))
            {
                if (!_createBucket)
                {
                    throw new InvalidOperationException($"S3 bucket '{_bucket}' does not exist and Buckets:CreateBucket is false.");
                }

                var make = new MakeBucketArgs().WithBucket(_bucket);
                if (_region is not null)
                {
                    make = make.WithLocation(_region);
                }

                await _client.MakeBucketAsync(make, cancellationToken);
                Log.BucketCreated(_logger, _bucket);
            }

            _ready = true;
        }
        finally
        {
            _readyGate.Release();
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> says the store is down or unreachable rather than anything about the object: a
    /// connection refused or broken, a timeout that is not the caller's cancellation, a 5xx answer.
    /// </summary>
    private static bool IsUnreachable(Exception e, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || e is BucketUnavailableException)
        {
            return false;
        }

        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case HttpRequestException or System.Net.Sockets.SocketException or IOException or TimeoutException or TaskCanceledException or ConnectionException:
                case MinioException { ServerResponse.StatusCode: >= HttpStatusCode.InternalServerError }:
                    return true;
            }
        }

        return false;
    }

    private static bool IsNoSuchKey(Exception e) => e switch
    {
        ObjectNotFoundException => true,
        MinioException { Response.Code: "NoSuchKey" } => true,
        MinioException { ServerResponse.StatusCode: HttpStatusCode.NotFound } m => m is not BucketNotFoundException,
        _ => false,
    };

    private static string ContentTypeOf(string key) =>
        key.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream";

    private static partial class Log
    {
        [LoggerMessage(3100, LogLevel.Information, "Created S3 bucket {Bucket}")]
        public static partial void BucketCreated(ILogger logger, string bucket);

        [LoggerMessage(3101, LogLevel.Warning, "S3 bucket {Bucket}: skipped object {Key}, which is not a valid bucket key")]
        public static partial void ForeignKeySkipped(ILogger logger, string bucket, string key);
    }
}
