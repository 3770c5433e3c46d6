using Gantry.Core.Environments;
using Gantry.Data.Environments;
using Gantry.Server.Environments;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Registry;

/// <summary>
/// The warnings an environment's answer carries: each service that still points at an image or artifact the
/// <c>-local</c> retention sweep deleted. Before one is shown the registry is asked whether the manifest is back
/// (the same build pushed again has the same digest): then the warning is forgotten. A registry that does not
/// answer leaves the warning standing.
/// </summary>
public sealed partial class LocalImageWarnings(
    ImageWarningRepository warnings, RegistryClient registry, IOptions<RegistryOptions> options, ILogger<LocalImageWarnings> logger)
{
    public async Task<IReadOnlyList<EnvironmentWarning>> CurrentAsync(string environment, EnvironmentClaim claim, CancellationToken cancellationToken)
    {
        var current = new List<EnvironmentWarning>();
        foreach (var warning in await warnings.ListAsync(environment, cancellationToken))
        {
            var pointsThere = claim.Services.Any(s => s.Name == warning.Service && (s.DockerImage == warning.Reference || s.AnsibleArtifact == warning.Reference));
            if (!pointsThere)
            {
                continue;
            }

            if (await IsBackAsync(warning.Reference, cancellationToken))
            {
                await warnings.RemoveAsync(environment, warning.Service, warning.Reference, cancellationToken);
                continue;
            }

            current.Add(new EnvironmentWarning(warning.Service, warning.Reference, EnvironmentWarning.LocalImageDeleted,
                $"{warning.Reference} was deleted by the -local retention sweep: the engine cannot pull it again; push the build anew with 'gantry deploy --local'",
                warning.DeletedAt));
        }

        return current;
    }

    // host/repository@digest, as deploy --local writes it and the sweep recorded it.
    private async Task<bool> IsBackAsync(string reference, CancellationToken cancellationToken)
    {
        if (!options.Value.IsEnabled)
        {
            return false;
        }

        if (LocalImageReference.Parse(reference, options.Value.Url!) is not { } local)
        {
            return false;
        }

        try
        {
            return await registry.HasManifestAsync(local.Repository, local.Digest, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or RegistryRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.Unreachable(logger, reference, ex.Message);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4814, Level = LogLevel.Warning, Message = "Could not ask the registry whether {Reference} is back: {Reason}")]
        public static partial void Unreachable(ILogger logger, string reference, string reason);
    }
}
