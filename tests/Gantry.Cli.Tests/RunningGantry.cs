using System.Diagnostics;
using System.Threading.Channels;

namespace Gantry.Cli.Tests;

/// <summary>
/// The real gantry binary left running (<c>status --watch</c>, <c>login --browser</c>): the test reads its output
/// line by line as it comes, interrupts it as Ctrl-C does, and collects the exit code and both streams at the end.
/// </summary>
internal sealed class RunningGantry : IDisposable
{
    private readonly Process _process;
    private readonly OutputLines _stdout;
    private readonly OutputLines _stderr;

    private RunningGantry(Process process)
    {
        _process = process;
        _process.StandardInput.Close();
        _stdout = new OutputLines(process.StandardOutput);
        _stderr = new OutputLines(process.StandardError);
    }

    public static RunningGantry Start(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> args) =>
        new(Process.Start(GantryProcess.StartInfo(environment, args)) ?? throw new InvalidOperationException("gantry did not start"));

    /// <summary>The next line of standard output that <paramref name="match"/> accepts (earlier ones are passed over).</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null) => WaitAsync(_stdout, match, timeout);

    /// <summary>The next line of standard error that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForErrorLineAsync(Func<string, bool> match, TimeSpan? timeout = null) => WaitAsync(_stderr, match, timeout);

    /// <summary>SIGINT, as Ctrl-C sends it.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task<CliResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(limit.Token);
        await Task.WhenAll(_stdout.Done, _stderr.Done);
        return new CliResult(_process.ExitCode, _stdout.Text, _stderr.Text);
    }

    private async Task<string> WaitAsync(OutputLines lines, Func<string, bool> match, TimeSpan? timeout)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var line in lines.Channel.Reader.ReadAllAsync(limit.Token))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"no such line; gantry wrote:\n{_stdout.Text}\nstderr:\n{_stderr.Text}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}

/// <summary>One output stream of the process, read line by line: every line kept, and passed on to whoever waits.</summary>
internal sealed class OutputLines
{
    private readonly List<string> _all = [];

    public OutputLines(StreamReader reader) => Done = Task.Run(async () =>
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_all)
            {
                _all.Add(line);
            }

            await Channel.Writer.WriteAsync(line);
        }

        Channel.Writer.Complete();
    });

    public Channel<string> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

    public Task Done { get; }

    public string Text
    {
        get
        {
            lock (_all)
            {
                return string.Concat(_all.Select(l => l + "\n"));
            }
        }
    }
}
