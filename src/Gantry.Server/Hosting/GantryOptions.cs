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
}
