using Gantry.Data.Sealing;
using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Sealing;

/// <summary>Tenant key custody settings, bound from the <c>Sealing</c> section.</summary>
public sealed class SealingOptions
{
    public const string SectionName = "Sealing";

    /// <summary><c>tenant-key</c> (Gantry makes a key pair per tenant, the tenant downloads the private key once) or <c>controller-cert</c>.</summary>
    public string Custody { get; set; } = SealingKeyModes.TenantKey;

    public EscrowOptions Escrow { get; set; } = new();

    /// <summary>
    /// Let a controller certificate URL connect to loopback (a controller port-forwarded to this machine, the tests'
    /// server). Off, such a URL is refused like an unreachable one; link-local (cloud metadata), unspecified and
    /// multicast addresses are refused whatever this says.
    /// </summary>
    public bool ControllerCertAllowLoopback { get; set; }
}

/// <summary>
/// Escrow of tenant private keys for disaster recovery: off unless a master key is given, from a file outside the
/// data folder (<c>Sealing:Escrow:MasterKeyFile</c>) or the environment (<c>Sealing__Escrow__MasterKey</c>), base64 of 32 bytes.
/// </summary>
public sealed class EscrowOptions
{
    public string? MasterKeyFile { get; set; }

    public string? MasterKey { get; set; }

    /// <summary>The name stored in each escrowed blob, so a later master key can be told apart.</summary>
    public string MasterKeyId { get; set; } = "master-1";

    public bool IsEnabled => !string.IsNullOrWhiteSpace(MasterKeyFile) || !string.IsNullOrWhiteSpace(MasterKey);

    /// <summary>The configured escrow, or null when escrow is off. Throws <see cref="SealingException"/> for an unusable key.</summary>
    public SealingKeyEscrow? CreateEscrow()
    {
        if (!IsEnabled)
        {
            return null;
        }

        var base64 = string.IsNullOrWhiteSpace(MasterKey) ? File.ReadAllText(MasterKeyFile!) : MasterKey;
        return new SealingKeyEscrow([EscrowMasterKey.FromBase64(MasterKeyId, base64)]);
    }
}

/// <summary>Checks the custody settings at start; every message names its key and never holds key material.</summary>
internal sealed class SealingOptionsValidator(IOptions<GantryOptions> gantry) : IValidateOptions<SealingOptions>
{
    private const string Escrow = $"{SealingOptions.SectionName}:{nameof(SealingOptions.Escrow)}";

    public ValidateOptionsResult Validate(string? name, SealingOptions options)
    {
        var failures = new List<string>();
        if (!SealingKeyModes.All.Contains(options.Custody, StringComparer.Ordinal))
        {
            failures.Add($"{SealingOptions.SectionName}:{nameof(SealingOptions.Custody)} '{options.Custody}' is not supported; use one of: {string.Join(", ", SealingKeyModes.All)}.");
        }

        var escrow = options.Escrow;
        if (!string.IsNullOrWhiteSpace(escrow.MasterKeyFile) && !string.IsNullOrWhiteSpace(escrow.MasterKey))
        {
            failures.Add($"{Escrow}:MasterKeyFile and {Escrow}:MasterKey are both set; give the escrow master key one way.");
        }
        else if (!string.IsNullOrWhiteSpace(escrow.MasterKeyFile) && FileProblem(escrow.MasterKeyFile) is { } problem)
        {
            failures.Add(problem);
        }
        else if (escrow.IsEnabled)
        {
            try
            {
                _ = escrow.CreateEscrow();
            }
            catch (SealingException e)
            {
                var key = string.IsNullOrWhiteSpace(escrow.MasterKey) ? "MasterKeyFile" : "MasterKey";
                failures.Add($"{Escrow}:{key} is not usable: {e.Message} (expected base64 of {EscrowMasterKey.KeyBytes} random bytes).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string? FileProblem(string file)
    {
        var path = Path.GetFullPath(file);
        var dataDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(gantry.Value.DataDir)) + Path.DirectorySeparatorChar;
        if (path.StartsWith(dataDir, StringComparison.Ordinal))
        {
            // A backup of the data folder would then carry the key next to what it protects.
            return $"{Escrow}:MasterKeyFile '{file}' is inside Gantry:DataDir; keep the escrow master key outside the data folder.";
        }

        return File.Exists(path) ? null : $"{Escrow}:MasterKeyFile '{file}' does not exist or is not a file.";
    }
}
