namespace Gantry.Buckets;

/// <summary>The bucket backends Gantry can use.</summary>
public static class BucketProviders
{
    /// <summary>A folder under the data directory (the embedded default).</summary>
    public const string FileSystem = "filesystem";

    /// <summary>An S3-compatible store such as MinIO.</summary>
    public const string S3 = "s3";

    public static readonly IReadOnlyList<string> All = [FileSystem, S3];
}

/// <summary>
/// Where one logical bucket (such as "environments") lives. Bound from the "Buckets" section and then from
/// "Buckets:&lt;Name&gt;" (e.g. <c>Buckets:Environments:Bucket</c>), so the store is configured once and a bucket's
/// own name can still be chosen per logical bucket. Checked at start by <see cref="ObjectBucketOptionsValidator"/>.
/// </summary>
public sealed class ObjectBucketOptions
{
    public const string SectionName = "Buckets";

    /// <summary><c>filesystem</c> (default) or <c>s3</c>.</summary>
    public string Provider { get; set; } = BucketProviders.FileSystem;

    /// <summary>
    /// The bucket's name: the S3 bucket, or the sub-folder of <see cref="Path"/> for the file system. Defaults to
    /// the logical name.
    /// </summary>
    public string? Bucket { get; set; }

    /// <summary>The folder holding file-system buckets; defaults to "buckets" inside <see cref="DataDirectory"/>.</summary>
    public string? Path { get; set; }

    /// <summary>Gantry's data folder, used to derive <see cref="Path"/> when that is not set (set by the host).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>fsync files and folders of a file-system bucket before a put returns. Only tests turn this off.</summary>
    public bool SyncToDisk { get; set; } = true;

    /// <summary>The S3 endpoint: <c>host:port</c>, or an <c>http://</c> / <c>https://</c> URL without a path.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Use TLS; defaults to the URL's scheme, or true for <c>host:port</c>.</summary>
    public bool? UseSsl { get; set; }

    public string? AccessKey { get; set; }

    /// <summary>The secret key; prefer <see cref="SecretKeyFile"/> (or the <c>Buckets__SecretKey</c> environment variable). Never logged.</summary>
    public string? SecretKey { get; set; }

    /// <summary>A file holding the secret key (e.g. a mounted Kubernetes secret); read at start.</summary>
    public string? SecretKeyFile { get; set; }

    /// <summary>The S3 region; MinIO accepts any (commonly "us-east-1").</summary>
    public string? Region { get; set; }

    /// <summary>Create the S3 bucket on first use when it does not exist.</summary>
    public bool CreateBucket { get; set; } = true;

    /// <summary>Set by the registration: the logical bucket these options are for.</summary>
    internal string LogicalName { get; set; } = "";

    /// <summary>The bucket's name, defaulting to the logical name.</summary>
    public string ResolveBucketName() => string.IsNullOrWhiteSpace(Bucket) ? LogicalName : Bucket;

    /// <summary>The folder of a file-system bucket.</summary>
    public string ResolveFolder() =>
        System.IO.Path.GetFullPath(System.IO.Path.Join(
            !string.IsNullOrWhiteSpace(Path) ? Path : System.IO.Path.Join(DataDirectory ?? "data", "buckets"),
            ResolveBucketName()));

    /// <summary>The secret key from <see cref="SecretKey"/> or <see cref="SecretKeyFile"/> (trailing newline removed).</summary>
    public string ResolveSecretKey() =>
        !string.IsNullOrEmpty(SecretKeyFile) ? File.ReadAllText(SecretKeyFile).TrimEnd('\r', '\n') : SecretKey ?? "";
}
