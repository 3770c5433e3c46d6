using Gantry.Data;
using Gantry.Git;
using Gantry.Server.Bootstrap;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Gantry.Server.Sealing;
using Gantry.Server.Status;
using Gantry.Server.Telemetry;

namespace Gantry.Server.Deployment;

/// <summary>
/// The production self-check behind <c>check --deploy</c> and <see cref="GantryOptions.StrictProduction"/>: a list of
/// small checks over the settings as configured, each adding its findings. The settings are bound here without their
/// validators, so that one bad value is reported beside every other finding instead of stopping the check.
/// docs/deployment.md holds the table of ids; keep it in step.
/// </summary>
public sealed class DeploymentChecks(IConfiguration configuration)
{
    /// <summary>Bootstrap passwords everyone tries first; a longer one that is still one of these is no better.</summary>
    private static readonly string[] WellKnownPasswords = ["admin", "administrator", "password", "changeme", "gantry", "secret", "letmein", "qwerty", "welcome"];

    /// <summary>Below this a bootstrap password is refused: the generated one has 24 characters.</summary>
    public const int MinAdminPasswordLength = 16;

    public IReadOnlyList<DeploymentFinding> Run()
    {
        var findings = new List<DeploymentFinding>();
        var gantry = Bind<GantryOptions>(GantryOptions.SectionName);
        CheckAdminPassword(findings);
        CheckSigningKeys(findings, gantry, Bind<AuthOptions>(AuthOptions.SectionName));
        CheckSealing(findings, gantry, Bind<SealingOptions>(SealingOptions.SectionName));
        CheckClusterKey(findings, gantry, Bind<StatusOptions>(StatusOptions.SectionName));
        CheckTransport(findings, gantry);
        CheckDatabase(findings, gantry, Bind<DatabaseOptions>(DatabaseOptions.SectionName));
        CheckGit(findings, gantry, Bind<GitOptions>(GitOptions.SectionName));
        CheckBuckets(findings, gantry);
        CheckCors(findings, gantry);
        CheckApiReference(findings, gantry);
        CheckLogging(findings);
        CheckMetrics(findings, gantry, Bind<TelemetryOptions>(TelemetryOptions.SectionName));
        return findings;
    }

    private T Bind<T>(string section) where T : new() => configuration.GetSection(section).Get<T>() ?? new T();

    private void CheckAdminPassword(List<DeploymentFinding> findings)
    {
        // Unset, the first start generates 24 random characters and shows them once: nothing to find.
        var password = configuration[AdminBootstrapper.PasswordVariable];
        if (string.IsNullOrEmpty(password))
        {
            return;
        }

        // "Password123456789" is long enough and still the first guess: a well-known word padded with digits is weak too.
        var letters = new string([.. password.Where(char.IsLetter)]).ToLowerInvariant();
        if (password.Length < MinAdminPasswordLength || letters.Length == 0 || WellKnownPasswords.Contains(letters, StringComparer.Ordinal))
        {
            findings.Add(DeploymentFinding.Error("admin.E001",
                $"{AdminBootstrapper.PasswordVariable} is weak: shorter than {MinAdminPasswordLength} characters or a well-known default.",
                $"{AdminBootstrapper.PasswordVariable}: at least {MinAdminPasswordLength} random characters, or unset to have one generated and shown once."));
        }
    }

    private static void CheckSigningKeys(List<DeploymentFinding> findings, GantryOptions gantry, AuthOptions auth)
    {
        if (auth.Issuer == new AuthOptions().Issuer)
        {
            findings.Add(DeploymentFinding.Warning("auth.W001",
                $"Auth:Issuer is the development default '{auth.Issuer}': other services cannot find Gantry's signing keys from its tokens.",
                "Auth:Issuer: Gantry's public URL, e.g. https://gantry.example.com."));
        }

        if (string.IsNullOrWhiteSpace(auth.SigningKeysFolder))
        {
            if (gantry.Replicas > 1)
            {
                findings.Add(DeploymentFinding.Error("auth.E001",
                    $"Token signing keys are made per replica in the data folder while Gantry:Replicas is {gantry.Replicas}: a token signed by one replica is refused by the others.",
                    "Auth:SigningKeysFolder: a folder mounted from a Secret that every replica shares."));
            }

            return;
        }

        if (SigningKeyStore.FindProblem(auth.SigningKeysFolder) is { } problem)
        {
            findings.Add(DeploymentFinding.Error("auth.E002",
                $"Auth:SigningKeysFolder '{auth.SigningKeysFolder}' is not usable: {problem}",
                "Auth:SigningKeysFolder: one or more *.json key files, each an ECDSA P-256 (ES256) private key (docs/deployment.md)."));
        }
    }

    private static void CheckSealing(List<DeploymentFinding> findings, GantryOptions gantry, SealingOptions sealing)
    {
        var escrow = sealing.Escrow;
        if (!escrow.IsEnabled)
        {
            findings.Add(DeploymentFinding.Warning("sealing.W001",
                "No sealing escrow master key: a tenant that loses its downloaded private key cannot have its sealed secrets recovered.",
                "Sealing:Escrow:MasterKeyFile: a file mounted from a Secret, outside Gantry:DataDir."));
            return;
        }

        if (!string.IsNullOrWhiteSpace(escrow.MasterKeyFile) && IsInside(escrow.MasterKeyFile, gantry.DataDir))
        {
            findings.Add(DeploymentFinding.Error("sealing.E001",
                $"Sealing:Escrow:MasterKeyFile '{escrow.MasterKeyFile}' is inside the data folder: a backup of the data carries the key beside what it protects.",
                "Sealing:Escrow:MasterKeyFile: a path outside Gantry:DataDir (a mounted Secret)."));
        }
    }

    private static void CheckClusterKey(List<DeploymentFinding> findings, GantryOptions gantry, StatusOptions status)
    {
        if (gantry.Replicas > 1 && string.IsNullOrWhiteSpace(status.ClusterKey) && string.IsNullOrWhiteSpace(status.ClusterKeyFile))
        {
            findings.Add(DeploymentFinding.Error("status.E001",
                $"The cluster webhook key is made per replica in the data folder while Gantry:Replicas is {gantry.Replicas}: a cluster's webhook secret would differ between replicas.",
                "Status:ClusterKeyFile: base64 of 32 random bytes in a file mounted from a Secret."));
        }
    }

    private void CheckTransport(List<DeploymentFinding> findings, GantryOptions gantry)
    {
        if (gantry.TrustedProxies.Count == 0 && !ListenUrls().Any(u => u.StartsWith("https:", StringComparison.OrdinalIgnoreCase)))
        {
            findings.Add(DeploymentFinding.Error("http.E001",
                "Gantry serves plain HTTP and no TLS-ending proxy is trusted: passwords and tokens would cross the network in clear, and Gantry cannot tell which requests came over TLS.",
                "Gantry:TrustedProxies: the ingress controller's addresses or network; or an https:// URL in ASPNETCORE_URLS with a certificate (Kestrel:Certificates:Default)."));
        }

        if (gantry.PublicUrl is { } publicUrl && publicUrl.StartsWith("http:", StringComparison.OrdinalIgnoreCase))
        {
            findings.Add(DeploymentFinding.Warning("http.W001",
                $"Gantry:PublicUrl '{publicUrl}' is plain HTTP: clusters are handed webhook URLs without TLS.",
                "Gantry:PublicUrl: the https:// address of the ingress."));
        }
    }

    private static void CheckMetrics(List<DeploymentFinding> findings, GantryOptions gantry, TelemetryOptions telemetry)
    {
        // Behind an ingress with no scrape networks, /metrics is served to the internet (it names no tenant, but
        // request rates and error counts are nobody else's business).
        if (telemetry.Metrics && telemetry.MetricsAllowedNetworks.Count == 0 && gantry.TrustedProxies.Count > 0)
        {
            findings.Add(DeploymentFinding.Warning("telemetry.W001",
                $"{telemetry.MetricsPath} answers anyone, also through the ingress.",
                "Telemetry:MetricsAllowedNetworks: the pod network Prometheus scrapes from (e.g. 10.0.0.0/8); or Telemetry:Metrics=false."));
        }
    }

    // What Kestrel binds: --urls / ASPNETCORE_URLS, the port settings, named endpoints, else Gantry's loopback default.
    private List<string> ListenUrls()
    {
        var urls = new List<string>();
        urls.AddRange((configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (!string.IsNullOrEmpty(configuration["https_ports"]))
        {
            urls.Add("https://*:" + configuration["https_ports"]);
        }

        if (!string.IsNullOrEmpty(configuration["http_ports"]))
        {
            urls.Add("http://*:" + configuration["http_ports"]);
        }

        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls.Count == 0 ? [GantryHostingExtensions.DefaultUrl] : urls;
    }

    private static void CheckDatabase(List<DeploymentFinding> findings, GantryOptions gantry, DatabaseOptions database)
    {
        if (database.Provider == DatabaseProviders.Sqlite && gantry.Replicas > 1)
        {
            findings.Add(DeploymentFinding.Error("database.E001",
                $"SQLite with Gantry:Replicas {gantry.Replicas}: each replica would keep its own database file.",
                "Database:Provider=postgresql with Database:ConnectionString, or Gantry:Replicas=1."));
        }
    }

    private static void CheckGit(List<DeploymentFinding> findings, GantryOptions gantry, GitOptions git)
    {
        if (string.IsNullOrWhiteSpace(git.Remote) || !Uri.TryCreate(git.Remote, UriKind.Absolute, out var remote) || remote.Scheme is not ("http" or "https"))
        {
            if (gantry.Replicas > 1)
            {
                findings.Add(DeploymentFinding.Error("git.E003",
                    $"No Git remote while Gantry:Replicas is {gantry.Replicas}: each replica would commit to a repository of its own.",
                    "Git:Remote: the https:// URL of the state repository."));
            }
            else
            {
                findings.Add(DeploymentFinding.Warning("git.W001",
                    "No Git remote: the desired state lives only in the data folder, and no cluster can clone it.",
                    "Git:Remote: the https:// URL of the state repository."));
            }

            return;
        }

        if (remote.Scheme == "http")
        {
            findings.Add(DeploymentFinding.Error("git.E001",
                "Git:Remote is plain HTTP: the Git credentials and the desired state cross the network in clear.",
                "Git:Remote: an https:// URL."));
        }

        var hasPassword = !string.IsNullOrWhiteSpace(git.Password) || !string.IsNullOrWhiteSpace(git.PasswordFile) || remote.UserInfo.Contains(':', StringComparison.Ordinal);
        if (!hasPassword)
        {
            findings.Add(DeploymentFinding.Error("git.E002",
                "Git:Remote has no credentials: Gantry cannot push the changes it acknowledges.",
                "Git:Username and Git:PasswordFile (a token in a file mounted from a Secret)."));
        }
        else if (remote.UserInfo.Length > 0)
        {
            findings.Add(DeploymentFinding.Warning("git.W002",
                "Git:Remote carries its credentials in the URL, where they end up in logs and process listings.",
                "Git:Username and Git:PasswordFile instead of user:token@ in Git:Remote."));
        }
    }

    private void CheckBuckets(List<DeploymentFinding> findings, GantryOptions gantry)
    {
        // Bound as AddObjectBucket binds it: the Buckets section, then the logical bucket's own.
        var section = configuration.GetSection(Buckets.ObjectBucketOptions.SectionName);
        var bucket = new Buckets.ObjectBucketOptions();
        section.Bind(bucket);
        section.GetSection(Buckets.BucketServiceCollectionExtensions.Environments).Bind(bucket);
        if (bucket.Provider == Buckets.BucketProviders.FileSystem && gantry.Replicas > 1)
        {
            findings.Add(DeploymentFinding.Error("buckets.E001",
                $"Dynamic environment claims are kept in the data folder while Gantry:Replicas is {gantry.Replicas}: each replica would see only its own.",
                "Buckets:Provider=s3 with Buckets:Endpoint, Buckets:AccessKey and Buckets:SecretKeyFile."));
        }
    }

    private static void CheckCors(List<DeploymentFinding> findings, GantryOptions gantry)
    {
        if (gantry.CorsOrigins.Contains("*"))
        {
            findings.Add(DeploymentFinding.Error("cors.E001",
                "Gantry:CorsOrigins allows any origin ('*'): any web page a signed-in user opens may call the API.",
                "Gantry:CorsOrigins: the exact origins of the web apps that call Gantry."));
        }
    }

    private static void CheckApiReference(List<DeploymentFinding> findings, GantryOptions gantry)
    {
        if (gantry.ExposeApiReference)
        {
            findings.Add(DeploymentFinding.Warning("openapi.W001",
                "The OpenAPI document and its UI (/openapi/v1.json, /scalar) are served to anonymous users.",
                "Gantry:ExposeApiReference=false."));
        }
    }

    private void CheckLogging(List<DeploymentFinding> findings)
    {
        // Logging:LogLevel:* and every provider's own Logging:<Provider>:LogLevel:*.
        var levels = configuration.GetSection("Logging").AsEnumerable()
            .Where(kv => kv.Value is not null && kv.Key.Contains(":LogLevel:", StringComparison.OrdinalIgnoreCase)
                && (kv.Value.Equals("Debug", StringComparison.OrdinalIgnoreCase) || kv.Value.Equals("Trace", StringComparison.OrdinalIgnoreCase)))
            .Select(kv => $"{kv.Key}={kv.Value}")
            .Order(StringComparer.Ordinal)
            .ToList();
        if (levels.Count > 0)
        {
            findings.Add(DeploymentFinding.Warning("logging.W001",
                $"Debug or Trace logging is on ({string.Join(", ", levels)}): the logs grow fast and may carry request details.",
                "Logging:LogLevel:Default=Information (and no category below it)."));
        }
    }

    private static bool IsInside(string path, string folder)
    {
        var dataDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(path).StartsWith(dataDir, StringComparison.Ordinal);
    }
}
