using System.Globalization;
using System.Text.RegularExpressions;
using Gantry.Client;
using Gantry.Client.Oci;
using Spectre.Console;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry deploy --local</c>: for each named service, reads the developer's image build and infrastructure folder,
/// pushes them to the user's own <c>&lt;user&gt;-local/</c> namespace of the registry Gantry names (as
/// <c>&lt;service&gt;</c> and <c>&lt;service&gt;-ansible</c>), and answers the services pointing at the pushed digests.
/// Everything is read and checked before the first byte goes out; a progress bar shows on a terminal.
/// </summary>
internal sealed partial class LocalBuildPusher(CliConsole console, GantrySession session)
{
    /// <summary>Where a service's image is when <c>--image</c> does not say: an OCI layout folder, else a tarball.</summary>
    public static readonly string[] ImageConventions = ["build/oci", "build/image.tar"];

    /// <summary>Where a service's infrastructure folder is when <c>--ansible</c> does not say.</summary>
    public const string AnsibleConvention = "ansible";

    /// <summary>Pushes every service's build; answers the services with <c>docker_image</c> and <c>ansible_artifact</c> set to the digests.</summary>
    public async Task<IReadOnlyList<EnvironmentServiceSpec>> PushAsync(
        IReadOnlyList<EnvironmentServiceSpec> services, IReadOnlyList<string> imageFlags, IReadOnlyList<string> ansibleFlags, string? tag,
        string? namespaceFlag, CancellationToken cancellationToken)
    {
        var images = ParsePaths(imageFlags, "--image");
        var ansible = ParsePaths(ansibleFlags, "--ansible");
        foreach (var name in images.Keys.Concat(ansible.Keys).Where(n => services.All(s => s.Name != n)))
        {
            throw CliException.Usage($"--image/--ansible name service '{name}', which --services does not");
        }

        if (namespaceFlag is not null && !RepositoryComponent().IsMatch(namespaceFlag))
        {
            throw CliException.Usage($"--namespace '{namespaceFlag}' is not a repository path component (lowercase letters, digits and . _ - separators)");
        }

        var pushTag = tag ?? "local-" + console.Time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        if (!TagPattern().IsMatch(pushTag))
        {
            throw CliException.Usage($"--tag '{pushTag}' is not an OCI tag ([A-Za-z0-9_][A-Za-z0-9._-]{{0,127}})");
        }

        // Read everything first: a bad build stops the deploy before anything is pushed or submitted.
        var builds = new List<(EnvironmentServiceSpec Service, OciImageLayout Image, OciContent? Ansible)>();
        try
        {
            foreach (var service in services)
            {
                if (!RepositoryComponent().IsMatch(service.Name))
                {
                    throw new CliException($"service '{service.Name}' cannot name a repository (lowercase letters, digits and . _ - separators)");
                }

                var image = await OpenImageAsync(service.Name, images.GetValueOrDefault(service.Name), cancellationToken);
                var convention = Path.Combine(service.Name, AnsibleConvention);
                var folder = ansible.GetValueOrDefault(service.Name) ?? (Directory.Exists(convention) ? convention : null);
                var artifact = folder is null ? null : Read(() => OciArtifactPacker.Pack(folder, console.Time.GetUtcNow()));

                builds.Add((service, image, artifact));
            }

            var registry = await session.Client.GetRegistryAsync(cancellationToken);
            var own = namespaceFlag ?? registry.LocalNamespace
                ?? throw new CliException($"{session.DescribedAs} has no repository of its own in the registry (an API key?); log in as a user to deploy local builds", ExitCodes.Unauthorized);
            var registryUri = new Uri(registry.Url.TrimEnd('/') + "/");
            var host = registryUri.Authority;
            var pushed = new List<EnvironmentServiceSpec>();
            var counts = new BlobCounts();
            await WithProgressAsync(counts, async progress =>
            {
                using var http = new HttpClient(console.HttpHandler ?? new SocketsHttpHandler(), disposeHandler: console.HttpHandler is null) { Timeout = TimeSpan.FromMinutes(10) };
                var pusher = new OciPusher(http, registryUri, TokenAsync, progress) { ChunkSize = ChunkSize() };
                foreach (var (service, image, artifact) in builds)
                {
                    var imageRepository = $"{own}/{service.Name}";
                    var imageDigest = await PushAsync(pusher, imageRepository, pushTag, image.Content, cancellationToken);
                    string? artifactReference = null;
                    if (artifact is not null)
                    {
                        var artifactRepository = $"{own}/{service.Name}-ansible";
                        artifactReference = $"{host}/{artifactRepository}@{await PushAsync(pusher, artifactRepository, pushTag, artifact, cancellationToken)}";
                    }

                    pushed.Add(service with { DockerImage = $"{host}/{imageRepository}@{imageDigest}", AnsibleArtifact = artifactReference ?? service.AnsibleArtifact });
                }
            });
            foreach (var service in pushed)
            {
                console.Notice($"pushed {service.Name}: {service.DockerImage}{(service.AnsibleArtifact is { } a ? $" and {a}" : string.Empty)}");
            }

            console.Notice($"blobs: {counts.Sent} sent, {counts.Skipped} already in the registry");

            return pushed;
        }
        finally
        {
            foreach (var build in builds)
            {
                build.Image.Dispose();
            }
        }
    }

    private static async Task<string> PushAsync(OciPusher pusher, string repository, string tag, OciContent content, CancellationToken cancellationToken)
    {
        try
        {
            return await pusher.PushAsync(repository, tag, content, cancellationToken);
        }
        catch (OciPushException ex)
        {
            throw new CliException(ex.Message, ex.IsRefusal ? ExitCodes.Unauthorized : ExitCodes.Failure);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach the registry to push {repository}: {ex.Message}", ExitCodes.Unavailable);
        }
    }

    /// <summary>Registry tokens come from this Gantry only: the user's credentials never go to a realm the registry names elsewhere.</summary>
    private async Task<string> TokenAsync(RegistryChallenge challenge, CancellationToken cancellationToken)
    {
        var expected = new Uri(session.Server, "api/v1/registry/token");
        if (challenge.Realm.GetLeftPart(UriPartial.Path) != expected.GetLeftPart(UriPartial.Path))
        {
            throw new CliException($"the registry sends clients to the token service {challenge.Realm.GetLeftPart(UriPartial.Path)}, not to {expected}; it must trust this Gantry as its token server (docs/security.md)");
        }

        return (await session.Client.GetRegistryTokenAsync(challenge.Service, challenge.Scope ?? string.Empty, cancellationToken)).Token;
    }

    private static async Task<OciImageLayout> OpenImageAsync(string service, string? flag, CancellationToken cancellationToken)
    {
        var path = flag ?? ImageConventions.Select(c => Path.Combine(service, c)).FirstOrDefault(p => Directory.Exists(p) || File.Exists(p))
            ?? throw new CliException($"no image build for {service}: pass --image {service}=PATH (an OCI layout folder or docker save tarball) or put it at {service}/{ImageConventions[0]} or {service}/{ImageConventions[1]}");
        try
        {
            return await OciImageLayout.OpenAsync(path, cancellationToken);
        }
        catch (OciLayoutException ex)
        {
            throw new CliException($"{service}: {ex.Message}");
        }
    }

    private static OciContent Read(Func<OciContent> read)
    {
        try
        {
            return read();
        }
        catch (OciLayoutException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>A progress bar per blob on a terminal; elsewhere (pipes, CI logs) nothing but the final lines.</summary>
    private async Task WithProgressAsync(BlobCounts counts, Func<IProgress<OciPushProgress>, Task> push)
    {
        if (!console.IsOutputTerminal || console.Quiet)
        {
            await push(new Reporter(counts.Count));
            return;
        }

        await console.Ansi(error: true).Progress().AutoClear(false).StartAsync(async context =>
        {
            var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
            await push(new Reporter(p =>
            {
                counts.Count(p);
                var key = p.Repository + "@" + p.Digest;
                if (!tasks.TryGetValue(key, out var task))
                {
                    task = tasks[key] = context.AddTask(Markup.Escape($"{p.Repository} {p.Digest[7..19]}"), maxValue: Math.Max(1, p.Total));
                }

                task.Value = p.Done;
                if (p.Skipped)
                {
                    task.Description = Markup.Escape($"{p.Repository} {p.Digest[7..19]} (already there)");
                }
            }));
        });
    }

    /// <summary>Reports at once, on the pushing thread (<see cref="Progress{T}"/> would post them for later).</summary>
    private sealed class Reporter(Action<OciPushProgress> report) : IProgress<OciPushProgress>
    {
        public void Report(OciPushProgress value) => report(value);
    }

    /// <summary>Blobs sent and blobs the registry already had.</summary>
    private sealed class BlobCounts
    {
        public int Sent { get; private set; }

        public int Skipped { get; private set; }

        public void Count(OciPushProgress progress)
        {
            if (progress.Skipped)
            {
                Skipped++;
            }
            else if (progress.Done == progress.Total)
            {
                Sent++;
            }
        }
    }

    private int ChunkSize() =>
        int.TryParse(console.Environment("GANTRY_PUSH_CHUNK_BYTES"), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes >= 1024 ? bytes : 4 * 1024 * 1024;

    private static Dictionary<string, string> ParsePaths(IEnumerable<string> flags, string option)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flag in flags)
        {
            var equals = flag.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == flag.Length - 1)
            {
                throw CliException.Usage($"{option} '{flag}' is not service=PATH");
            }

            paths[flag[..equals]] = flag[(equals + 1)..];
        }

        return paths;
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex RepositoryComponent();
}
