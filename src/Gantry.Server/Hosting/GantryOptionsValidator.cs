using Gantry.Core.Validation;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Hosting;

/// <summary>Checks the top-level settings at start; an unusable data folder stops Gantry before it serves anything.</summary>
internal sealed class GantryOptionsValidator : IValidateOptions<GantryOptions>
{
    public ValidateOptionsResult Validate(string? name, GantryOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add("Gantry:DataDir must name a folder.");
        }
        else if (ProbeWritable(options.DataDir) is { } problem)
        {
            failures.Add($"Gantry:DataDir '{options.DataDir}' is not a writable folder: {problem}");
        }

        if (!string.IsNullOrEmpty(options.DemoTenant) && !ResourceName.IsDns1123Label(options.DemoTenant))
        {
            failures.Add($"Gantry:DemoTenant '{options.DemoTenant}' must be a DNS-1123 label (lower-case letters, digits, '-').");
        }

        if (options.ShutdownDelay < TimeSpan.Zero || options.ShutdownDelay > TimeSpan.FromSeconds(20))
        {
            failures.Add("Gantry:ShutdownDelay must be between 00:00:00 and 00:00:20 (the shutdown timeout is 30 s).");
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            failures.Add("Gantry:MaxRequestBodyBytes must be between 1024 and 1073741824.");
        }

        if (options.MaxUrlBytes is < 1024 or > 1024 * 1024)
        {
            failures.Add("Gantry:MaxUrlBytes must be between 1024 and 1048576.");
        }

        if (options.MaxRequestHeadersBytes is < 4096 or > 1024 * 1024)
        {
            failures.Add("Gantry:MaxRequestHeadersBytes must be between 4096 and 1048576.");
        }

        if (options.PublicUrl is { Length: > 0 } publicUrl
            && (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0
                || uri.Query.Length > 0 || uri.Fragment.Length > 0))
        {
            failures.Add($"Gantry:PublicUrl '{publicUrl}' must be an absolute http(s) URL without credentials, query or fragment, e.g. https://gantry.example.com.");
        }

        if (options.MinFreeDiskMegabytes < 0)
        {
            failures.Add("Gantry:MinFreeDiskMegabytes must not be negative.");
        }

        if (options.Replicas < 1)
        {
            failures.Add("Gantry:Replicas must be at least 1.");
        }

        foreach (var proxy in options.TrustedProxies.Where(p => !TrustedProxy.TryParse(p, out _)))
        {
            failures.Add($"Gantry:TrustedProxies entry '{proxy}' is not an IP address or CIDR network (e.g. 10.0.0.0/8).");
        }

        foreach (var origin in options.CorsOrigins.Where(o => o != "*" && !(Uri.TryCreate(o, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && u.AbsolutePath == "/")))
        {
            failures.Add($"Gantry:CorsOrigins entry '{origin}' is not an origin such as https://portal.example.com.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Creates the folder if needed and writes and removes a probe file: the only honest writability test.</summary>
    private static string? ProbeWritable(string dataDir)
    {
        try
        {
            var full = Path.GetFullPath(dataDir);
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return e.Message;
        }
    }
}
