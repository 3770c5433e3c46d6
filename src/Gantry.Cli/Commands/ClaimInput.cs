using System.Globalization;
using System.Text;
using System.Text.Json;
using Gantry.Client;
using Gantry.Core.Validation;

namespace Gantry.Cli.Commands;

/// <summary>
/// An environment claim from the command line: a claim file (<c>--file</c>, <c>-</c> for standard input) or an inline
/// document (<c>--payload</c>), each held to the input rules every JSON document Gantry reads meets, with the flags
/// over it. Fields the flags do not set stay as the document has them, unknown ones included, so the server names a
/// typo instead of the CLI dropping it.
/// </summary>
internal static class ClaimInput
{
    /// <summary>The claim document of <c>--file</c> or <c>--payload</c> (at most one), or null when neither is given.</summary>
    public static async Task<EnvironmentClaimRequest?> ReadAsync(string? file, string? payload, CliConsole console, CancellationToken cancellationToken)
    {
        if (file is not null && payload is not null)
        {
            throw CliException.Usage("give the claim either with --file or with --payload, not both");
        }

        if (file is null && payload is null)
        {
            return null;
        }

        var (bytes, name) = payload is not null
            ? (Encoding.UTF8.GetBytes(payload), "--payload")
            : file == "-"
                ? (await CliInput.ReadAllAsync(console.Input, "standard input", cancellationToken), "standard input")
                : (await CliInput.ReadFileAsync(file!, cancellationToken), file!);
        try
        {
            JsonInput.CheckFile(bytes, name);
        }
        catch (JsonInputException ex)
        {
            throw new CliException(ex.Message);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(bytes.AsSpan().StartsWith(Utf8Bom) ? Utf8Bom.Length : 0));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CliException($"{name} must hold an environment claim (a JSON object with environment_name, environment_type, environment_pool and services)");
            }

            // Name, type and pool may come from flags; placeholders keep the record whole until they are filled in.
            var root = document.RootElement;
            return JsonSerializer.SerializeToElement(Complete(root)).Deserialize<EnvironmentClaimRequest>(GantryClient.Json)
                ?? throw new CliException($"{name} holds no claim");
        }
        catch (JsonException ex)
        {
            throw new CliException($"{name} is not an environment claim: {ex.Message}");
        }
    }

    /// <summary>
    /// <c>name:version</c> pairs (<c>user-service:v1.2.3</c>, <c>auth-service:^2.1.0</c>); the version is any
    /// constraint the API accepts and may itself hold colons only after the first.
    /// </summary>
    public static IReadOnlyList<EnvironmentServiceSpec> ParseServices(IEnumerable<string> pairs, string option)
    {
        var services = new List<EnvironmentServiceSpec>();
        foreach (var pair in pairs.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            var (name, version) = colon < 0 ? (pair, "*") : (pair[..colon], pair[(colon + 1)..]);
            if (name.Length == 0 || version.Length == 0)
            {
                throw CliException.Usage($"{option} '{pair}' is not name:version (e.g. user-service:v1.2.3 or auth-service:^2.1.0)");
            }

            services.Add(new EnvironmentServiceSpec { Name = name, Version = version });
        }

        return services;
    }

    /// <summary>The claim's services with <paramref name="overrides"/> over them: a service named again takes the new version, in its place.</summary>
    public static IReadOnlyList<EnvironmentServiceSpec> Merge(IReadOnlyList<EnvironmentServiceSpec> services, IReadOnlyList<EnvironmentServiceSpec> overrides)
    {
        var merged = services.ToList();
        foreach (var service in overrides)
        {
            var at = merged.FindIndex(s => s.Name == service.Name);
            if (at < 0)
            {
                merged.Add(service);
            }
            else
            {
                merged[at] = merged[at] with { Version = service.Version };
            }
        }

        return merged;
    }

    /// <summary>An expiry: an RFC 3339 time, or a duration from now (90m, 48h, 7d).</summary>
    public static DateTimeOffset ParseExpiry(string text, string option, TimeProvider time)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && text.Contains('T', StringComparison.Ordinal))
        {
            return at.ToUniversalTime();
        }

        if (text.Length > 1 && text[^1] == 'd' && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days > 0)
        {
            return time.GetUtcNow() + TimeSpan.FromDays(days);
        }

        try
        {
            return time.GetUtcNow() + InstancesCommand.ParseDuration(text, option);
        }
        catch (CliException)
        {
            throw CliException.Usage($"{option} '{text}' is neither a time (2026-01-31T18:00:00Z) nor a duration from now (90m, 48h, 7d)");
        }
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static Dictionary<string, JsonElement> Complete(JsonElement root)
    {
        var members = root.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        foreach (var required in new[] { "environment_name", "environment_type", "environment_pool" })
        {
            members.TryAdd(required, JsonSerializer.SerializeToElement(string.Empty));
        }

        return members;
    }
}
