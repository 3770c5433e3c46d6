using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Xunit;

namespace Gantry.Testing;

/// <summary>
/// A real PostgreSQL server for the test run: a fresh cluster in a temp folder (initdb), listening on a free
/// loopback port, stopped by process id and deleted when the fixture is disposed. Under root it runs as the
/// <c>postgres</c> user, as PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"gantry-pg-{Guid.NewGuid():N}");
    private Process? _process;
    private int _port;

    public string AdminConnectionString => ConnectionStringFor("postgres");

    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={_port};Username=gantry;Database={database};Pooling=true;Timeout=15";

    /// <summary>A new empty database, so each test starts from nothing.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\""; // name is a GUID made here, not input
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    public async Task InitializeAsync()
    {
        var bin = FindBinaries();
        var data = Path.Combine(_folder, "data");
        Directory.CreateDirectory(_folder);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _folder]);
        }

        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "gantry", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], asRoot);

        _port = Ports.Free();
        await StartPostmasterAsync();
    }

    /// <summary>
    /// Stops the server (fast shutdown: every session is ended, open transactions roll back), waits
    /// <paramref name="downFor"/> and starts it again on the same port and data: a restart as clients see it.
    /// </summary>
    public async Task RestartAsync(TimeSpan downFor)
    {
        await StopPostmasterAsync();
        await Task.Delay(downFor);
        await StartPostmasterAsync();
    }

    private async Task StartPostmasterAsync()
    {
        var info = Command(Path.Combine(FindBinaries(), "postgres"),
            ["-D", Path.Combine(_folder, "data"), "-p", _port.ToString(CultureInfo.InvariantCulture), "-k", _folder,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            Environment.UserName == "root");
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        _process = Process.Start(info)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString + ";Pooling=false");
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await StopPostmasterAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up.
        }
    }

    private async Task StopPostmasterAsync()
    {
        if (_process is { HasExited: false })
        {
            // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, stop, leave no orphans.
            await RunAsync("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        _process = null;
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
            : [];
        return candidates.OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql: run `make test-deps` (installs Debian's postgresql).");
    }

    // setpriv execs in place, so the process id we hold is the postmaster's own.
    private static ProcessStartInfo Command(string file, IEnumerable<string> arguments, bool asPostgresUser)
    {
        var info = new ProcessStartInfo(asPostgresUser ? "setpriv" : file) { UseShellExecute = false };
        if (asPostgresUser)
        {
            foreach (var a in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", file })
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static async Task RunAsync(string file, IEnumerable<string> arguments, bool asPostgresUser = false)
    {
        var info = Command(file, arguments, asPostgresUser);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
