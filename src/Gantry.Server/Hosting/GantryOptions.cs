namespace Gantry.Server.Hosting;

/// <summary>Top-level settings, bound from the <c>Gantry</c> section (<c>Gantry__DataDir</c>, <c>--data-dir</c>).</summary>
public sealed class GantryOptions
{
    public const string SectionName = "Gantry";

    /// <summary>The folder that holds the SQLite database, the local Git repository and the bucket folder.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>A tenant created on first start so the tour has something to work in; empty for none.</summary>
    public string DemoTenant { get; set; } = "demo";

    /// <summary>
    /// The address others reach Gantry at (e.g. <c>https://gantry.example.com</c>), used in the webhook URLs handed to
    /// clusters. Unset, the address of the request that asks is used.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>The largest request body accepted, in bytes. Larger bodies answer 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The longest URL (path and query) accepted, in characters. Longer URLs answer 414.</summary>
    public int MaxUrlBytes { get; set; } = 8 * 1024;

    /// <summary>The most header bytes (names and values) a request may carry. More answer 431.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>The storage health check fails when the data folder's volume has less free space than this.</summary>
    public long MinFreeDiskMegabytes { get; set; } = 256;

    /// <summary>
    /// How many replicas the deployment runs (the Kubernetes manifests set it). Gantry does not start them; it is told,
    /// so that <c>check --deploy</c> can refuse what cannot be shared (SQLite, per-pod keys) across several.
    /// </summary>
    public int Replicas { get; set; } = 1;

    /// <summary>
    /// Run the <c>check --deploy</c> findings at start and refuse to start (exit 2) on any error. An explicit opt-in rather
    /// than <c>ASPNETCORE_ENVIRONMENT=Production</c>, which a laptop run or a test may use without production settings.
    /// </summary>
    public bool StrictProduction { get; set; }

    /// <summary>
    /// Addresses or CIDR networks of the reverse proxies (ingress controller) that end TLS; their
    /// <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed. Empty: forwarded headers are ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Origins a browser may call the API from (CORS). Empty: no CORS headers at all.</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Serve the OpenAPI document (<c>/openapi/v1.json</c>) and its UI (<c>/scalar</c>) to anyone; off in production.</summary>
    public bool ExposeApiReference { get; set; } = true;

    /// <summary>
    /// On SIGTERM, how long readiness is false while requests are still served, before the listener closes (Kubernetes
    /// needs a few seconds to take the pod out of its endpoints); 0 to 20 s, 0 by default, 5 s in the prod overlay.
    /// </summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;
}
