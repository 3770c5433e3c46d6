using System.Collections.Concurrent;
using Gantry.Data.Environments;
using Gantry.Server.Audit;
using Gantry.Server.Environments;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Registry;

/// <summary>
/// Deletes manifests in the <c>-local</c> namespaces older than <see cref="RegistryOptions.LocalRetention"/> and reports
/// them (log, audit, <see cref="LastReport"/>), flagging environments whose services still point at a deleted digest
/// (kept in <see cref="ImageWarningRepository"/>: the environment's answer shows them while the service points there).
/// A manifest's age is its <c>org.opencontainers.image.created</c> annotation (set by <c>gantry deploy --local</c>),
/// else the time this process first saw it. The registry must allow deletes (<c>storage.delete.enabled: true</c>).
/// </summary>
public sealed partial class RegistryRetentionSweep(
    RegistryClient registry,
    RegistryAccessPolicy policy,
    EnvironmentRepository environments,
    EnvironmentManager manager,
    ImageWarningRepository warnings,
    AuditLog audit,
    IOptions<RegistryOptions> options,
    [FromKeyedServices(RegistryRetentionSweep.ClockKey)] TimeProvider time,
    ILogger<RegistryRetentionSweep> logger) : BackgroundService
{
    /// <summary>The key of the sweep's clock: the server's by default; tests age manifests by moving it alone.</summary>
    public const string ClockKey = "registry-retention";

    public const string DeleteAction = "registry.local-manifest.delete";
    public const string FlagAction = "environment.local-image.deleted";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The last sweep's report, or null before the first.</summary>
    public RegistrySweepReport? LastReport { get; private set; }

    /// <summary>One sweep now; sweeps do not overlap.</summary>
    public async Task<RegistrySweepReport> SweepAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var deleted = new List<DeletedManifest>();
            foreach (var repository in await registry.ListRepositoriesAsync(cancellationToken))
            {
                if (!policy.IsLocal(repository))
                {
                    continue;
                }

                foreach (var manifest in await registry.ListManifestsAsync(repository, cancellationToken))
                {
                    var created = manifest.Created ?? _firstSeen.GetOrAdd(repository + "@" + manifest.Digest, now);
                    if (now - created < options.Value.LocalRetention)
                    {
                        continue;
                    }

                    await registry.DeleteManifestAsync(repository, manifest.Digest, cancellationToken);
                    var gone = new DeletedManifest(repository, manifest.Digest, manifest.Tags, created);
                    deleted.Add(gone);
                    Log.Deleted(logger, repository, manifest.Digest, manifest.Tags, created);
                    await audit.RecordSystemAsync(DeleteAction, target: gone.Reference, detail: "tags " + string.Join(',', gone.Tags));
                }
            }

            var report = new RegistrySweepReport { SweptAt = now, Deleted = deleted, FlaggedEnvironments = await FlagAsync(deleted, now, cancellationToken) };
            LastReport = report;
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or RegistryRequestException or System.Text.Json.JsonException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                Log.Failed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Every environment with a service whose docker_image or ansible_artifact names a deleted manifest.</summary>
    private async Task<IReadOnlyList<FlaggedEnvironment>> FlagAsync(List<DeletedManifest> deleted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var flagged = new List<FlaggedEnvironment>();
        if (deleted.Count == 0)
        {
            return flagged;
        }

        var references = deleted.Select(d => d.Reference).ToHashSet(StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            var page = await environments.ListAsync(new EnvironmentQuery { After = after, Limit = 100 }, cancellationToken);
            foreach (var record in page)
            {
                if (await manager.GetAsync(record, cancellationToken) is not { } state)
                {
                    continue;
                }

                foreach (var service in state.Claim.Services)
                {
                    foreach (var image in new[] { service.DockerImage, service.AnsibleArtifact })
                    {
                        if (image is not null && LocalImageReference.Parse(image, options.Value.Url!) is { } local && references.Contains(local.Reference))
                        {
                            flagged.Add(new FlaggedEnvironment(record.Name, record.Pool, service.Name, image));
                            Log.Flagged(logger, record.Name, service.Name, image);
                            await warnings.AddAsync(record.Name, service.Name, image, now, cancellationToken);
                            await audit.RecordSystemAsync(FlagAction, tenant: record.Pool, target: record.Name, detail: $"{service.Name}: {image} was deleted by the -local retention sweep");
                        }
                    }
                }
            }

            if (page.Count < 100)
            {
                return flagged;
            }

            after = page[^1].Name;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4811, Level = LogLevel.Information, Message = "Deleted {Repository}@{Digest} (tags {Tags}), created {Created}: older than the -local retention")]
        public static partial void Deleted(ILogger logger, string repository, string digest, IReadOnlyList<string> tags, DateTimeOffset created);

        [LoggerMessage(EventId = 4812, Level = LogLevel.Warning, Message = "Environment {Environment} service {Service} points at deleted {Reference}")]
        public static partial void Flagged(ILogger logger, string environment, string service, string reference);

        [LoggerMessage(EventId = 4813, Level = LogLevel.Warning, Message = "The -local retention sweep failed: {Reason}")]
        public static partial void Failed(ILogger logger, string reason);
    }
}
