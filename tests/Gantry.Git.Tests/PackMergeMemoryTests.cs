using Gantry.Git.Objects;
using Gantry.Git.Storage;
using Gantry.Git.Testing;
using Xunit.Abstractions;

namespace Gantry.Git.Tests;

/// <summary>Issue #16: a merge's memory must not grow with the size of the packs it merges.</summary>
/// <remarks>Alone, after the other tests: the process-wide count of allocated bytes would include theirs.</remarks>
[Collection(nameof(PackMergeMemoryTests))]
public sealed class PackMergeMemoryTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Merging_24_MB_of_packs_allocates_a_few_MB()
    {
        var repo = _temp.Combine("big.git");
        GitCli.InitBare(repo);
        var random = new Random(16);
        var first = WritePacks(repo, random, "a");
        var second = WritePacks(repo, random, "b");

        // Twice: the first merge of a process may fill caches, the second shows what every later one costs.
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var firstBytes = AllocatedBy(() => PackMerger.Merge(repo, first, sync: false));
        var firstTime = clock.Elapsed;
        clock.Restart();
        var secondBytes = AllocatedBy(() => PackMerger.Merge(repo, second, sync: false));
        var secondTime = clock.Elapsed;
        var kept = GC.GetTotalMemory(forceFullCollection: true) - heap;

        // An index: 1072 bytes of header, fan-out and checksums, then 28 bytes an object.
        var objects = first.Sum(p => new FileInfo(Path.ChangeExtension(p, ".idx")).Length - 1072) / 28;
        output.WriteLine($"merge of {first.Sum(p => new FileInfo(p).Length) / 1e6:F1} MB in {first.Count} packs, ~{objects} objects: first {firstBytes.Process / 1e6:F2} MB allocated ({firstBytes.Thread / 1e6:F2} MB by the merge's thread) in {firstTime.TotalMilliseconds:F0} ms, second {secondBytes.Process / 1e6:F2} MB ({secondBytes.Thread / 1e6:F2} MB) in {secondTime.TotalMilliseconds:F0} ms; heap kept after both: {kept / 1e6:F2} MB");

        // The table of objects (48 bytes each) and a few buffers of 64 KB; it was 63 MB, then 20 MB a merge beside a pool that kept its arrays.
        Assert.InRange(firstBytes.Thread, 0, (objects * 48) + (2 << 20));
        Assert.InRange(secondBytes.Thread, 0, (objects * 48) + (2 << 20));
    }

    /// <summary>Bytes allocated while <paramref name="merge"/> runs: by the process, and by this thread (a merge runs on one) for the bound.</summary>
    private static (long Process, long Thread) AllocatedBy(Action merge)
    {
        var process = GC.GetTotalAllocatedBytes(precise: true);
        var thread = GC.GetAllocatedBytesForCurrentThread();
        merge();
        return (GC.GetTotalAllocatedBytes(precise: true) - process, GC.GetAllocatedBytesForCurrentThread() - thread);
    }

    /// <summary>Four packs of 6 MB of small blobs, the kind of objects a batch writes.</summary>
    private static List<string> WritePacks(string repo, Random random, string tag)
    {
        var names = new List<string>();
        for (var p = 0; p < 4; p++)
        {
            using var pack = new PackBuilder();
            var n = 0;
            while (pack.Length < 6 * 1024 * 1024)
            {
                var content = new byte[random.Next(100, 500)];
                random.NextBytes(content);
                pack.Add(GitObjectType.Blob, [.. System.Text.Encoding.ASCII.GetBytes($"{tag} {p} {n++}\n"), .. content]);
            }

            var (bytes, index, name) = pack.Build();
            RepositoryFiles.InstallPack(repo, bytes, index, name, sync: false);
            names.Add(Path.Combine(repo, "objects", "pack", $"pack-{name}.pack"));
        }

        return names;
    }
}

[CollectionDefinition(nameof(PackMergeMemoryTests), DisableParallelization = true)]
public sealed class RunsAlone;
