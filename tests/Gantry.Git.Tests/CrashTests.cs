using System.Diagnostics;
using Gantry.Git.Testing;

namespace Gantry.Git.Tests;

public sealed class CrashTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Killing_the_committer_mid_storm_loses_no_acknowledged_change()
    {
        var repo = _temp.Combine("state.git");
        var acknowledged = new List<(string Id, string Path, string Revision)>();
        using (var child = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { StormWriterPath(), repo, "32" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!)
        {
            child.ErrorDataReceived += (_, _) => { };
            child.BeginErrorReadLine();
            var timeout = Stopwatch.StartNew();
            while (acknowledged.Count < 400 && timeout.Elapsed < TimeSpan.FromSeconds(60))
            {
                var line = await child.StandardOutput.ReadLineAsync();
                if (line is null)
                {
                    break;
                }

                var parts = line.Split(' ');
                acknowledged.Add((parts[1], parts[2], parts[3]));
            }

            child.Kill(); // SIGKILL: no finally blocks, no flushing
            await child.WaitForExitAsync();

            // Acknowledgements already written to the pipe before the kill count too.
            while (await child.StandardOutput.ReadLineAsync() is { } rest)
            {
                var parts = rest.Split(' ');
                if (parts.Length == 4)
                {
                    acknowledged.Add((parts[1], parts[2], parts[3]));
                }
            }
        }

        Assert.True(acknowledged.Count >= 400, $"the storm acknowledged only {acknowledged.Count} changes");

        await using var store = await Stores.StartLocalAsync(repo);
        Assert.Equal("", GitCli.Run(repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
        var history = GitCli.Run(repo, "rev-list", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        foreach (var (id, path, revision) in acknowledged)
        {
            Assert.Contains(revision, history);
            Assert.Equal(id, GitCli.Run(repo, "show", $"{revision}:{path}"));
        }

        // The newest acknowledged content of each path is at most as old as the head's.
        var newest = acknowledged.GroupBy(a => a.Path).Select(g => g.Last()).Take(20);
        foreach (var (_, path, revision) in newest)
        {
            Assert.Equal("0", GitCli.Run(repo, "rev-list", "--count", $"main..{revision}").Trim());
            Assert.NotNull(await store.ReadFileAsync(path));
        }

        await store.CommitAsync(Stores.Put("after/crash.txt", "ok"));
        Assert.Equal("", GitCli.Run(repo, "fsck", "--strict", "--no-dangling", "--no-progress").Trim());
    }

    private static string StormWriterPath()
    {
        // tests/Gantry.Git.Tests/bin/<Configuration>/<tfm>/ -> tests/Gantry.Git.StormWriter/bin/<Configuration>/<tfm>/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = here.Name;
        var configuration = here.Parent!.Name;
        var tests = here.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(tests, "Gantry.Git.StormWriter", "bin", configuration, tfm, "Gantry.Git.StormWriter.dll");
        Assert.True(File.Exists(path), $"{path} is built with the tests");
        return path;
    }
}
