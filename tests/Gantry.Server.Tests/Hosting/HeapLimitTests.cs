using Gantry.Server.Hosting;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Hosting;

/// <summary>Gantry:HeapLimitMegabytes reaches the garbage collector of the running process.</summary>
public sealed class HeapLimitTests : IDisposable
{
    private readonly TempFolder _folder = new("gantry-heap");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_limit_is_the_one_the_garbage_collector_works_to()
    {
        // Process-wide: a limit far above what any test here holds (the machine may have less; the GC takes it as given).
        const long limit = 48L * 1024 * 1024 * 1024;
        var before = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            HeapLimit.Apply(null);
            GC.Collect();
            Assert.Equal(before, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

            HeapLimit.Apply((int)(limit / (1024 * 1024)));
            GC.Collect();
            Assert.Equal(limit, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        }
        finally
        {
            AppContext.SetData("GCHeapHardLimit", 0UL); // unset again: the runtime's own
            GC.RefreshMemoryLimit();
        }
    }

    [Fact]
    public async Task A_limit_below_the_smallest_allowed_stops_the_start_with_the_key_named()
    {
        await using var server = ServerProcess.Start(["--data-dir", _folder.Combine("data"), "--Gantry:HeapLimitMegabytes", "16"]);

        Assert.NotEqual(0, await server.WaitForExitAsync());
        var error = server.StandardError.Trim().Split('\n')[^1];
        Assert.StartsWith("gantry: cannot start:", error, StringComparison.Ordinal);
        Assert.Contains("Gantry:HeapLimitMegabytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_with_a_limit_starts_and_serves()
    {
        await using var server = ServerProcess.Start(["--data-dir", _folder.Combine("data"), "--Gantry:HeapLimitMegabytes", "96"]);

        await server.WaitUntilListeningAsync();
        using var http = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/hc")).StatusCode);
    }
}
