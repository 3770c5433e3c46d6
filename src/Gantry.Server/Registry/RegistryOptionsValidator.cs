using Microsoft.Extensions.Options;

namespace Gantry.Server.Registry;

/// <summary>Checks the registry settings at start; every message names the bad key.</summary>
internal sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        if (!options.IsEnabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Registry:Url must be an absolute http(s) address.");
        }

        if (options.LocalSuffix.Length < 2 || !options.LocalSuffix.StartsWith('-') || options.LocalSuffix.Skip(1).Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))))
        {
            failures.Add("Registry:LocalSuffix must be '-' followed by lowercase letters or digits (default -local).");
        }

        if (options.LocalRetention <= TimeSpan.Zero)
        {
            failures.Add("Registry:LocalRetention must be positive.");
        }

        // PeriodicTimer's limit is about 49 days.
        if (options.SweepInterval <= TimeSpan.Zero || options.SweepInterval > TimeSpan.FromDays(30))
        {
            failures.Add("Registry:SweepInterval must be positive and at most 30 days.");
        }

        var tokens = options.TokenServer;
        if (string.IsNullOrWhiteSpace(tokens.Issuer))
        {
            failures.Add("Registry:TokenServer:Issuer is required.");
        }

        if (string.IsNullOrWhiteSpace(tokens.Service))
        {
            failures.Add("Registry:TokenServer:Service is required.");
        }

        foreach (var (key, file) in new[] { ("CertificateFile", tokens.CertificateFile), ("KeyFile", tokens.KeyFile) })
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                failures.Add($"Registry:TokenServer:{key} is required when Registry:Url is set.");
            }
            else if (!File.Exists(file))
            {
                failures.Add($"Registry:TokenServer:{key}: no file at {file}.");
            }
        }

        if (tokens.Lifetime <= TimeSpan.Zero || tokens.Lifetime > TimeSpan.FromHours(1))
        {
            failures.Add("Registry:TokenServer:Lifetime must be positive and at most one hour.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
