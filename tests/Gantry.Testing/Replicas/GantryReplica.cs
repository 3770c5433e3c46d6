using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Gantry.Testing.Replicas;

/// <summary>
/// One Gantry server process (the built Gantry.Server.dll, run as <c>dotnet Gantry.Server.dll</c>) on a fixed loopback
/// port and its own data folder, so that it can be killed and started again where it was. Stopped by process id.
/// </summary>
public sealed class GantryReplica : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public GantryReplica(int index, int port, string dataDir, IReadOnlyDictionary<string, string> settings)
    {
        Index = index;
        Port = port;
        DataDir = dataDir;
        _settings = settings;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public int Index { get; }

    public int Port { get; }

    public string DataDir { get; }

    /// <summary>A client of this replica; the token is set by the cluster after login.</summary>
    public HttpClient Http { get; }

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public bool Running => _process is { HasExited: false };

    /// <summary>The last lines the process wrote, for a failure message.</summary>
    public string Tail => string.Join('\n', _output.TakeLast(40));

    public void Start()
    {
        if (Running)
        {
            throw new InvalidOperationException($"Replica {Index} is already running.");
        }

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Gantry.Server.dll"), "--urls", $"http://127.0.0.1:{Port}", "--data-dir", DataDir })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _settings)
        {
            info.Environment[key] = value;
        }

        _process?.Dispose();
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts the replica again on its data folder and waits until it is ready.</summary>
    public async Task RestartAsync()
    {
        var started = Stopwatch.StartNew();
        Start();
        await WaitReadyAsync(TimeSpan.FromSeconds(90));
        StartSeconds.Add(started.Elapsed.TotalSeconds);
    }

    /// <summary>How long each restart took until ready.</summary>
    public ConcurrentBag<double> StartSeconds { get; } = [];

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public void KillHard()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM, as Kubernetes sends it; returns the process so that its exit can be awaited.</summary>
    public Process Terminate()
    {
        var p = _process ?? throw new InvalidOperationException($"Replica {Index} was never started.");
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", p.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
        return p;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (deadline.Elapsed < timeout)
        {
            if (_process is not { HasExited: false })
            {
                throw new InvalidOperationException($"Replica {Index} exited during start:\n{Tail}");
            }

            try
            {
                using var response = await probe.GetAsync("/readyz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Replica {Index} was not ready within {timeout}:\n{Tail}");
    }

    public void UseToken(string token) => Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            Terminate();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await p.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill();
            }
        }

        _process?.Dispose();
        Http.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
