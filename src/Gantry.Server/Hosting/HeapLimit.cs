namespace Gantry.Server.Hosting;

/// <summary>
/// Sets the garbage collector's heap limit from <see cref="GantryOptions.HeapLimitMegabytes"/> at start. The runtime reads
/// <c>GCHeapHardLimit</c> when it loads, from the environment or runtimeconfig.json; a setting of Gantry's own is
/// validated and documented with the others, and is handed to the GC through the AppContext and
/// <see cref="GC.RefreshMemoryLimit"/>, which reconfigures it in a running process. Without a limit the GC measures
/// its memory load against the whole machine, and on a large one keeps collected garbage committed: at 100,000
/// instances about 290 MB committed for about 70 MB live.
/// </summary>
public static class HeapLimit
{
    private const string Setting = "GCHeapHardLimit";

    /// <summary>Applies <paramref name="megabytes"/> (null: leaves the runtime's limit); throws with the reason when refused.</summary>
    public static void Apply(int? megabytes)
    {
        if (megabytes is not { } limit)
        {
            return;
        }

        AppContext.SetData(Setting, (ulong)limit * 1024 * 1024);
        try
        {
            GC.RefreshMemoryLimit();
        }
        catch (InvalidOperationException e)
        {
            throw new GantryStartupException(
                $"Gantry:HeapLimitMegabytes {limit} was refused by the runtime ({e.Message}); the heap already holds {GC.GetGCMemoryInfo().TotalCommittedBytes / (1024 * 1024)} MiB.");
        }
    }
}
