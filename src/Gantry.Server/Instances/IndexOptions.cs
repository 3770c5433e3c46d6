namespace Gantry.Server.Instances;

/// <summary>Configuration section <c>Index</c>: the instance index's repair from Git.</summary>
public sealed class IndexOptions
{
    public const string SectionName = "Index";

    /// <summary>How often write intents left behind by a writer that died are looked for and their rows repaired.</summary>
    public TimeSpan RepairInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How old an intent must be before a periodic pass looks at it: younger ones are most likely a live writer's,
    /// which the repair would only wait for (it takes the tenant's lock the writer holds).
    /// </summary>
    public TimeSpan RepairMinimumAge { get; set; } = TimeSpan.FromSeconds(10);
}
