using System.Diagnostics;
using Gantry.Data;
using Gantry.Data.Migrations;
using Gantry.Server.Hosting;
using Gantry.Git;
using Gantry.Sealing.Keys;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Health;

/// <summary>Names and tags of the checks behind <c>/readyz</c> and <c>/hc</c>.</summary>
public static class HealthCheckNames
{
    public const string App = "app";
    public const string Database = "database";
    public const string Migrations = "migrations";
    public const string Git = "git";
    public const string Storage = "storage";
    public const string SealingKeys = "sealing-keys";
    public const string EngineNotifications = "engine-notifications";
    public const string EnvironmentClaims = "environment-claims";

    /// <summary>False from SIGTERM on (<see cref="ShutdownDrain"/>).</summary>
    public const string Serving = "serving";

    /// <summary>Checks that must pass before Kubernetes sends traffic to this replica.</summary>
    public const string ReadyTag = "ready";
}

internal sealed class AppHealthCheck(TimeProvider time) : IHealthCheck
{
    private static readonly string Version = GantryVersion.Informational;

    // The process's own start, as the operating system recorded it: the check object is made anew for every run of
    // the checks, so a time taken when it is constructed always reported "up 0.00:00:00".
    private static readonly DateTimeOffset ProcessStarted = ReadProcessStart();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var uptime = time.GetUtcNow() - ProcessStarted;
        return Task.FromResult(HealthCheckResult.Healthy($"Gantry {Version}, up {(uptime < TimeSpan.Zero ? TimeSpan.Zero : uptime):d\\.hh\\:mm\\:ss}"));
    }

    private static DateTimeOffset ReadProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }
}

internal sealed class DatabaseHealthCheck(IMetadataDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenUnpooledAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM schema_migrations";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{database.Provider} at {database.Location} answers");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{database.Provider} at {database.Location} does not answer: {e.Message}");
        }
    }
}

internal sealed class MigrationsHealthCheck(IMetadataDatabase database, MigrationRunner migrations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenUnpooledAsync(cancellationToken);
            var status = await migrations.GetStatusAsync(connection, cancellationToken);
            return status.IsCurrent
                ? HealthCheckResult.Healthy($"schema version {status.AppliedVersion} is current")
                : HealthCheckResult.Unhealthy($"schema version {status.AppliedVersion} with {status.Pending} migrations pending, this build needs {status.LatestVersion}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"cannot read the schema version: {e.Message}");
        }
    }
}

/// <summary>Opens the repository on disk and reads the branch, as a GitOps engine or Gantry after a restart would.</summary>
internal sealed class GitHealthCheck(IOptions<GitOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var path = options.Value.ResolveRepositoryPath();
        try
        {
            using var repository = new LibGit2Sharp.Repository(path);
            var branch = repository.Branches[options.Value.Branch];
            var where = string.IsNullOrWhiteSpace(options.Value.Remote) ? path : $"{path} (pushing to the configured remote)";
            return Task.FromResult(HealthCheckResult.Healthy(branch?.Tip is { } tip
                ? $"{where} at {tip.Sha[..12]} on {options.Value.Branch}"
                : $"{where} (no commits yet, branch {options.Value.Branch})"));
        }
        catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{path} is not readable: {e.Message}"));
        }
    }
}

/// <summary>Like django-health-check's storage check: the data folder takes a write, and the volume has room.</summary>
internal sealed class StorageHealthCheck(GantryPaths paths, IOptions<GantryOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var probe = Path.Combine(paths.DataDir, $".health-probe-{Guid.NewGuid():N}");
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Delete(probe);

            var freeMegabytes = new DriveInfo(paths.DataDir).AvailableFreeSpace / (1024 * 1024);
            var minimum = options.Value.MinFreeDiskMegabytes;
            var data = new Dictionary<string, object> { ["free_mb"] = freeMegabytes, ["min_free_mb"] = minimum };
            return freeMegabytes >= minimum
                ? HealthCheckResult.Healthy($"{paths.DataDir} is writable, {freeMegabytes} MiB free", data)
                : HealthCheckResult.Unhealthy($"{paths.DataDir} has {freeMegabytes} MiB free, below the {minimum} MiB minimum", data: data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"{paths.DataDir} does not take a write: {e.Message}");
        }
    }
}

/// <summary>
/// How many sealing key pairs are ready. Never unhealthy: with none ready, a tenant's first secret waits for one
/// to be made (about a second of one core at 4096 bits), which an operator creating many tenants wants to see.
/// </summary>
internal sealed class SealingKeyPoolHealthCheck(SealingKeyPool pool, IOptions<SealingKeyPoolOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (ready, capacity) = (pool.ReadyCount, options.Value.Capacity);
        var data = new Dictionary<string, object> { ["ready"] = ready, ["capacity"] = capacity };
        return Task.FromResult(HealthCheckResult.Healthy(
            $"{ready} of {capacity} {options.Value.KeySizeBits}-bit sealing key pairs ready{(ready == 0 ? "; a tenant's first secret waits for one" : "")}", data));
    }
}

/// <summary>
/// Claims put into the environments bucket that Gantry could not apply, as a count (the page is anonymous; which
/// and why is in the environment list of their pool). Never unhealthy: a tenant's bad upload must not take the
/// replica out of service, and its environment keeps the previous good state.
/// </summary>
internal sealed class EnvironmentClaimsHealthCheck(Environments.BucketClaimProblems problems) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var count = problems.Count;
        var data = new Dictionary<string, object> { ["invalid"] = count };
        return Task.FromResult(HealthCheckResult.Healthy(count == 0
            ? "every claim in the environments bucket is applied"
            : $"{count} claim(s) in the environments bucket are invalid; their environments keep the previous good state", data));
    }
}
