using Microsoft.Extensions.Options;

namespace Gantry.Buckets;

/// <summary>Checks a bucket's settings at start and names each bad key; the secret key's value is never shown.</summary>
internal sealed class ObjectBucketOptionsValidator : IValidateOptions<ObjectBucketOptions>
{
    public ValidateOptionsResult Validate(string? name, ObjectBucketOptions options)
    {
        // Only the named instances registered by AddObjectBucket carry a logical name; the default instance is unused.
        if (string.IsNullOrEmpty(options.LogicalName))
        {
            return ValidateOptionsResult.Skip;
        }

        var prefix = ObjectBucketOptions.SectionName + ":";
        var errors = new List<string>();
        if (!BucketProviders.All.Contains(options.Provider, StringComparer.Ordinal))
        {
            errors.Add($"{prefix}Provider '{options.Provider}' is not supported; use one of: {string.Join(", ", BucketProviders.All)}.");
            return ValidateOptionsResult.Fail(errors);
        }

        var bucket = options.ResolveBucketName();
        if (options.Provider == BucketProviders.FileSystem)
        {
            ValidateFileSystem(options, bucket, prefix, errors);
        }
        else
        {
            ValidateS3(options, bucket, prefix, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateFileSystem(ObjectBucketOptions options, string bucket, string prefix, List<string> errors)
    {
        if (!Core.Validation.ResourceName.IsDns1123Label(bucket))
        {
            errors.Add($"{prefix}Bucket '{bucket}' must be a DNS-1123 label (lower-case letters, digits, '-') to name a folder.");
        }

        if (string.IsNullOrWhiteSpace(options.Path) && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{prefix}Path must name the folder that holds file-system buckets.");
        }
    }

    private static void ValidateS3(ObjectBucketOptions options, string bucket, string prefix, List<string> errors)
    {
        if (S3Endpoint.TryParse(options.Endpoint, options.UseSsl, out var problem) is null)
        {
            errors.Add($"{prefix}Endpoint {problem} when {prefix}Provider is 's3'.");
        }

        if (!IsS3BucketName(bucket))
        {
            errors.Add($"{prefix}Bucket '{bucket}' is not a valid S3 bucket name (3 to 63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit).");
        }

        if (string.IsNullOrWhiteSpace(options.AccessKey))
        {
            errors.Add($"{prefix}AccessKey must be set when {prefix}Provider is 's3'.");
        }

        var hasSecret = !string.IsNullOrEmpty(options.SecretKey);
        var hasFile = !string.IsNullOrEmpty(options.SecretKeyFile);
        if (hasSecret && hasFile)
        {
            errors.Add($"{prefix}SecretKey and {prefix}SecretKeyFile must not both be set.");
        }
        else if (!hasSecret && !hasFile)
        {
            errors.Add($"{prefix}SecretKey or {prefix}SecretKeyFile must be set when {prefix}Provider is 's3'.");
        }
        else if (hasFile && !File.Exists(options.SecretKeyFile))
        {
            errors.Add($"{prefix}SecretKeyFile '{options.SecretKeyFile}' does not exist.");
        }
    }

    // AWS: bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), the common subset.
    private static bool IsS3BucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("..", StringComparison.Ordinal);
}
