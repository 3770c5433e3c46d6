using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Gantry.Testing.Engines;

/// <summary>
/// Reads one branch of a bare repository with the git CLI, as a cluster's source controller would see it: the head
/// commit, the files of a commit, what changed between two commits, and blobs in one batch. Diffing from the last
/// commit read keeps a reconcile's cost with the size of the change, not the repository.
/// </summary>
internal sealed class GitBranchReader(string repository, string branch)
{
    /// <summary>The branch's head commit, or null when the branch does not exist (yet).</summary>
    public async Task<string?> HeadAsync(CancellationToken cancellationToken)
    {
        var (code, output, error) = await RunAsync(null, cancellationToken, "rev-parse", "--verify", "--quiet", $"refs/heads/{branch}^{{commit}}");
        return code switch
        {
            0 => Encoding.ASCII.GetString(output).Trim(),
            1 when error.Length == 0 => null,
            _ => throw new InvalidOperationException($"git rev-parse in {repository} failed ({code}): {error}"),
        };
    }

    /// <summary>Every blob of <paramref name="commit"/>: path and object id.</summary>
    public async Task<IReadOnlyList<(string Path, string Oid)>> ListAsync(string commit, CancellationToken cancellationToken)
    {
        var output = await RunCheckedAsync(cancellationToken, "ls-tree", "-r", "-z", "--full-tree", commit);
        var files = new List<(string, string)>();
        foreach (var entry in Split(output))
        {
            // <mode> SP <type> SP <object> TAB <path>
            var tab = entry.IndexOf('\t', StringComparison.Ordinal);
            var meta = entry[..tab].Split(' ');
            if (meta[1] == "blob")
            {
                files.Add((entry[(tab + 1)..], meta[2]));
            }
        }

        return files;
    }

    /// <summary>The blobs changed from <paramref name="from"/> to <paramref name="to"/>: path and new object id (null when deleted).</summary>
    public async Task<IReadOnlyList<(string Path, string? Oid)>> DiffAsync(string from, string to, CancellationToken cancellationToken)
    {
        var output = await RunCheckedAsync(cancellationToken, "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", from, to);
        var changes = new List<(string, string?)>();
        var parts = Split(output);
        for (var i = 0; i + 1 < parts.Count; i += 2)
        {
            // :<old mode> <new mode> <old oid> <new oid> <status> NUL <path> NUL
            var meta = parts[i].Split(' ');
            changes.Add((parts[i + 1], meta[4] == "D" ? null : meta[3]));
        }

        return changes;
    }

    /// <summary>The text of each blob, read through one <c>git cat-file --batch</c>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(IReadOnlyCollection<string> oids, CancellationToken cancellationToken)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (oids.Count == 0)
        {
            return texts;
        }

        var input = Encoding.ASCII.GetBytes(string.Concat(oids.Select(o => o + "\n")));
        var (code, output, error) = await RunAsync(input, cancellationToken, "cat-file", "--batch");
        if (code != 0)
        {
            throw new InvalidOperationException($"git cat-file in {repository} failed ({code}): {error}");
        }

        // <oid> SP <type> SP <size> LF <contents> LF, per object in input order.
        var position = 0;
        while (position < output.Length)
        {
            var end = Array.IndexOf(output, (byte)'\n', position);
            var header = Encoding.ASCII.GetString(output, position, end - position).Split(' ');
            position = end + 1;
            if (header.Length < 3)
            {
                continue; // "<oid> missing"
            }

            var size = int.Parse(header[2], CultureInfo.InvariantCulture);
            texts[header[0]] = Encoding.UTF8.GetString(output, position, size);
            position += size + 1;
        }

        return texts;
    }

    private static List<string> Split(byte[] output) =>
        [.. Encoding.UTF8.GetString(output).Split('\0', StringSplitOptions.RemoveEmptyEntries)];

    private async Task<byte[]> RunCheckedAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var (code, output, error) = await RunAsync(null, cancellationToken, arguments);
        return code == 0 ? output : throw new InvalidOperationException($"git {arguments[0]} in {repository} failed ({code}): {error}");
    }

    private async Task<(int Code, byte[] Output, string Error)> RunAsync(byte[]? input, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--git-dir=" + repository);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started");
        using var output = new MemoryStream();
        var stdout = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            // Written while stdout drains, so a large batch cannot fill both pipes and stall.
            await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken);
            process.StandardInput.Close();
        }

        await stdout;
        var error = await stderr;
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, output.ToArray(), error.Trim());
    }
}
