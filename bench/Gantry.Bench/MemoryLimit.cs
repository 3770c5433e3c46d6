using System.Diagnostics;
using System.Globalization;

namespace Gantry.Bench;

/// <summary>
/// A memory limit for the server process, as a container runtime sets one: a control group of its own with a memory
/// limit, entered before the runtime starts, so the runtime sees the limit (it keeps the GC heap under 75 % of it) and
/// the kernel reclaims the process's file-backed pages (code, libgit2's mapped packs and indexes, page cache of the
/// files it writes) rather than exceed it. cgroup v2 when its memory controller is enabled, else v1. Needs root.
/// </summary>
internal sealed class MemoryLimit : IDisposable
{
    private const string V2Root = "/sys/fs/cgroup";
    private const string V1Root = "/sys/fs/cgroup/memory";

    private readonly string _folder;
    private readonly bool _v2;

    private MemoryLimit(string folder, bool v2)
    {
        _folder = folder;
        _v2 = v2;
    }

    public long Bytes { get; private init; }

    /// <summary>Makes a control group limited to <paramref name="megabytes"/> MiB; throws with the reason when it cannot.</summary>
    public static MemoryLimit Create(int megabytes)
    {
        var bytes = megabytes * 1024L * 1024L;
        var name = $"gantry-bench-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40];
        var v2 = File.Exists(Path.Combine(V2Root, "cgroup.controllers"))
            && File.ReadAllText(Path.Combine(V2Root, "cgroup.subtree_control")).Split(' ', StringSplitOptions.TrimEntries).Contains("memory");
        var folder = Path.Combine(v2 ? V2Root : V1Root, name);
        if (!v2 && !Directory.Exists(V1Root))
        {
            throw new InvalidOperationException("--memory-limit needs a cgroup memory controller (v2 with memory enabled, or v1 at /sys/fs/cgroup/memory).");
        }

        Directory.CreateDirectory(folder);
        var limit = new MemoryLimit(folder, v2) { Bytes = bytes };
        try
        {
            File.WriteAllText(Path.Combine(folder, v2 ? "memory.max" : "memory.limit_in_bytes"), bytes.ToString(CultureInfo.InvariantCulture));

            // No swap beside the limit, as a container with a memory limit has none.
            if (v2)
            {
                TryWrite(Path.Combine(folder, "memory.swap.max"), "0");
            }
            else
            {
                TryWrite(Path.Combine(folder, "memory.memsw.limit_in_bytes"), bytes.ToString(CultureInfo.InvariantCulture));
            }

            return limit;
        }
        catch
        {
            limit.Dispose();
            throw;
        }
    }

    /// <summary>Makes <paramref name="info"/> start its program inside the group: a shell enters it, then execs the program.</summary>
    public ProcessStartInfo Wrap(ProcessStartInfo info)
    {
        var wrapped = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = info.RedirectStandardOutput,
            RedirectStandardError = info.RedirectStandardError,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", "echo $$ > \"$0\" && exec \"$@\"", Path.Combine(_folder, "cgroup.procs"), info.FileName })
        {
            wrapped.ArgumentList.Add(argument);
        }

        foreach (var argument in info.ArgumentList)
        {
            wrapped.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in info.Environment)
        {
            wrapped.Environment[key] = value;
        }

        return wrapped;
    }

    /// <summary>The group's peak charge (process memory and the page cache charged to it), in MiB.</summary>
    public double PeakMb => ReadLong(_v2 ? "memory.peak" : "memory.max_usage_in_bytes") / 1024.0 / 1024.0;

    /// <summary>How often the group hit its limit and had to reclaim (v1 failcnt; v2 the "max" events).</summary>
    public long LimitHits => _v2 ? ReadEvent("max") : ReadLong("memory.failcnt");

    /// <summary>Processes the kernel killed for want of memory in the group.</summary>
    public long OomKills => _v2 ? ReadEvent("oom_kill") : ReadOomControl("oom_kill");

    public void Dispose()
    {
        for (var attempt = 0; attempt < 50 && Directory.Exists(_folder); attempt++)
        {
            try
            {
                Directory.Delete(_folder); // a cgroup folder is removed empty: its files are the kernel's
            }
            catch (IOException)
            {
                Thread.Sleep(100); // the killed process is still leaving the group
            }
        }
    }

    private long ReadLong(string file) =>
        File.Exists(Path.Combine(_folder, file)) ? long.Parse(File.ReadAllText(Path.Combine(_folder, file)).Trim(), CultureInfo.InvariantCulture) : 0;

    private long ReadEvent(string name) => ReadKeyed("memory.events", name);

    private long ReadOomControl(string name) => ReadKeyed("memory.oom_control", name);

    private long ReadKeyed(string file, string name)
    {
        var path = Path.Combine(_folder, file);
        return File.Exists(path)
            ? File.ReadLines(path).Select(l => l.Split(' ')).Where(p => p.Length == 2 && p[0] == name).Select(p => long.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault()
            : 0;
    }

    private static void TryWrite(string path, string value)
    {
        if (File.Exists(path))
        {
            File.WriteAllText(path, value);
        }
    }
}
