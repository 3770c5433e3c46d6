using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace Gantry.Testing;

/// <summary>
/// A real S3-compatible server for the test run: the npm package <c>s3rver</c> (installed by scripts/test-deps.sh)
/// on a free loopback port, keeping its objects in a temp folder, stopped by process id and deleted on dispose.
/// It is started through s3rver-start.js, which fixes the two ways s3rver 3.7.1 differs from S3 that the Minio SDK
/// trips over (the listing XML namespace, DES continuation tokens under OpenSSL 3); see that file.
/// s3rver accepts the access key and secret key <see cref="AccessKey"/>/<see cref="SecretKey"/>.
/// </summary>
public sealed class S3Server : IAsyncLifetime
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"gantry-s3-{Guid.NewGuid():N}");
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>The endpoint as Gantry's Buckets:Endpoint takes it.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>A fresh bucket name, so each test starts from an empty bucket.</summary>
    public static string NewBucketName() => $"t{Guid.NewGuid():N}";

    public Task InitializeAsync()
    {
        Port = Ports.Free();
        return StartAsync();
    }

    /// <summary>Stops the server as a crash would (its objects stay): the bucket is unreachable until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server on its port with the objects it had.</summary>
    public async Task StartAsync()
    {
        var package = FindPackage();
        var info = new ProcessStartInfo(FindOnPath("node") ?? throw new InvalidOperationException("node not found on PATH: run `make test-deps`."))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        var data = Path.Combine(_folder, "data");
        Directory.CreateDirectory(data);
        var script = Path.Combine(AppContext.BaseDirectory, "s3rver-start.js");
        foreach (var argument in new[] { "--openssl-legacy-provider", script, package, data, "127.0.0.1", Port.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        var output = new System.Text.StringBuilder();
        _process = Process.Start(info) ?? throw new InvalidOperationException("Cannot start node.");
        _process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Ready when it answers HTTP at all (an anonymous request is refused, which is an answer).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint + "/"));
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    string log;
                    lock (output)
                    {
                        log = output.ToString();
                    }

                    await DisposeAsync();
                    throw new InvalidOperationException($"s3rver did not start on port {Port}: {log}");
                }

                await Task.Delay(50);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                // Left to the OS; the test run ends anyway.
            }
        }

        _process?.Dispose();
        _process = null;
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up.
        }
    }

    /// <summary>The s3rver package folder, found through the <c>s3rver</c> command that <c>npm install -g</c> links.</summary>
    private static string FindPackage()
    {
        var command = FindOnPath("s3rver")
            ?? throw new InvalidOperationException("s3rver not found on PATH: run `make test-deps` (installs the npm package s3rver globally).");
        // <prefix>/bin/s3rver -> <prefix>/lib/node_modules/s3rver/bin/s3rver.js
        var script = File.ResolveLinkTarget(command, returnFinalTarget: true)?.FullName ?? command;
        var package = Path.GetDirectoryName(Path.GetDirectoryName(script))!;
        return File.Exists(Path.Combine(package, "package.json"))
            ? package
            : throw new InvalidOperationException($"Cannot find the s3rver package folder from {command}.");
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
