using System.Diagnostics;
using System.Text;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// The real <c>Gantry.Server</c> as a child process, the way <c>make run</c> starts it: for exit codes, the banner,
/// and signals. Stopped by process id when disposed.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the server; <paramref name="command"/> (<c>migrate</c>, <c>check</c>) goes first, as the executable expects.</summary>
    public static ServerProcess Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? command = null)
    {
        var port = Gantry.Testing.Ports.Free();
        var address = new Uri($"http://127.0.0.1:{port}");
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Gantry.Server.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(serverDll);
        if (command is not null)
        {
            info.ArgumentList.Add(command);
        }

        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(address.ToString().TrimEnd('/'));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("GANTRY_BOOTSTRAP_ADMIN_PASSWORD");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, address);
        process.OutputDataReceived += (_, e) => server.Append(server._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(server._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits for the banner, which is printed once the server listens.</summary>
    public async Task WaitUntilListeningAsync(TimeSpan? timeout = null)
    {
        var exited = _process.WaitForExitAsync();
        var finished = await Task.WhenAny(_listening.Task, exited, Task.Delay(timeout ?? TimeSpan.FromSeconds(60)));
        if (finished != _listening.Task)
        {
            throw new InvalidOperationException($"Gantry did not start listening.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as Kubernetes does when it stops a pod.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }

        if (line.Contains("Log in as:", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }
}
