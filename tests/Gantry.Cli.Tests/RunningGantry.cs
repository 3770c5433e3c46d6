using System.Diagnostics;
using System.Threading.Channels;

namespace Gantry.Cli.Tests;

/// <summary>
/// The real gantry binary left running (<c>status --watch</c>): the test reads its output line by line as it comes,
/// interrupts it as Ctrl-C does, and collects the exit code and both streams at the end.
/// </summary>
internal sealed class RunningGantry : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _stdout = [];
    private readonly Task<string> _stderr;
    private readonly Task _reader;

    private RunningGantry(Process process)
    {
        _process = process;
        _process.StandardInput.Close();
        _stderr = process.StandardError.ReadToEndAsync();
        _reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_stdout)
                {
                    _stdout.Add(line);
                }

                await _lines.Writer.WriteAsync(line);
            }

            _lines.Writer.Complete();
        });
    }

    public static RunningGantry Start(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> args) =>
        new(Process.Start(GantryProcess.StartInfo(environment, args)) ?? throw new InvalidOperationException("gantry did not start"));

    /// <summary>The next line of standard output that <paramref name="match"/> accepts (earlier ones are passed over).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(limit.Token))
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

        throw new TimeoutException($"no such line; gantry wrote:\n{Stdout}\nstderr: {(_stderr.IsCompleted ? _stderr.Result : "(still running)")}");
    }

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
        await _reader;
        return new CliResult(_process.ExitCode, Stdout, (await _stderr).ReplaceLineEndings("\n"));
    }

    private string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return string.Concat(_stdout.Select(l => l + "\n"));
            }
        }
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
