namespace Gantry.Server.Status;

/// <summary>Deployment status from the GitOps engines, bound from the <c>Status</c> section.</summary>
public sealed class StatusOptions
{
    public const string SectionName = "Status";

    /// <summary>
    /// The key every cluster's webhook secret is derived from (base64 of 32 random bytes). Several replicas must share
    /// it (from a Secret); left unset, Gantry keeps one in <c>keys/cluster-webhooks.key</c> in the data folder.
    /// </summary>
    public string? ClusterKey { get; set; }

    /// <summary>A file holding <see cref="ClusterKey"/> (a mounted Kubernetes Secret).</summary>
    public string? ClusterKeyFile { get; set; }

    /// <summary>The largest engine event accepted, in bytes. Flux and Argo CD events are a few hundred bytes.</summary>
    public int MaxEventBytes { get; set; } = 64 * 1024;

    /// <summary>An event whose own timestamp is older than this is refused as stale (a replay).</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far in the future an event's timestamp may be (clocks drift) before it is refused.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many events each instance's timeline keeps; older ones are pruned in the background.</summary>
    public int TimelineLength { get; set; } = 200;

    /// <summary>The longest a change may wait for the engine's outcome (<c>?wait=Ready&amp;timeout=</c>).</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often an open status stream sends a comment so proxies keep it open.</summary>
    public TimeSpan StreamHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the status feed reads events other replicas recorded (its own are read at once).</summary>
    public TimeSpan FeedPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Tries per engine notification (the first included) before it is given up and reported in /hc.</summary>
    public int NotifyAttempts { get; set; } = 4;

    /// <summary>The wait before the first retry of a notification; doubled per try.</summary>
    public TimeSpan NotifyRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Let notifications connect to loopback addresses (an engine port-forwarded to this machine, the tests' engines).
    /// Off, a notify URL that resolves to loopback fails like an unreachable engine; link-local and unspecified
    /// addresses are refused whatever this says.
    /// </summary>
    public bool NotifyAllowLoopback { get; set; }

    /// <summary>Time allowed for one notification request.</summary>
    public TimeSpan NotifyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
