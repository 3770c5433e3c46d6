using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Cli.Output;
using Gantry.Client;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry deploy</c>: the platform design's deployment tool (<c>platform-deploy</c>) with its flags as the design
/// names them. Creates the environment when it does not exist, else changes the named services (a merge patch: the
/// others stay); <c>--wait</c> follows it until the engine reports it deployed or failed (DeployCommand.Wait.cs).
/// </summary>
internal static partial class DeployCommand
{
    /// <summary>The design's types; a name that starts with one of them (<c>dev-team1-x</c>) is of that type unless --type says otherwise.</summary>
    private static readonly string[] DesignTypes = ["dev", "stage", "prod", "sue"];

    /// <summary>The type whose policy takes dev tags (<c>1.3.0-dev.2</c> satisfies <c>^1.0.0</c>).</summary>
    private const string DevTagsType = "sue";

    private static readonly JsonSerializerOptions ServicesJson = new(GantryClient.Json) { Converters = { new EnvironmentServicesConverter() } };

    public static Command Create(CliConsole console)
    {
        var environment = new Option<string>("--environment", "-e") { Description = "The environment, e.g. dev-team1 or dev-team1-feature-x (may come from the claim)" };
        var services = EnvCommand.ServicesOption("--services");
        var type = new Option<string>("--type") { Description = "dev, stage, prod or sue; default: the name's prefix when it is one of them, else dev" };
        var pool = new Option<string>("--pool") { Description = "The team pool that owns it; default: the name's second part after a type prefix (team1 in dev-team1-x), else the context's tenant" };
        var payload = new Option<string>("--payload") { Description = "The claim as inline JSON (the design's field names); flags override its fields" };
        var file = new Option<string>("--file", "-f") { Description = "The claim from a JSON file; - reads standard input; flags override its fields" };
        var onlySpecified = new Option<bool>("--deploy-only-specified") { Description = "Deploy only the named services and their dependencies, not the whole service catalog" };
        var devTags = new Option<bool>("--use-dev-tags") { Description = "Let constraints match dev tags (1.3.0-dev.2 for ^1.0.0); the sue type's policy, implied for sue" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the engine reports every service deployed (exit 0) or one failed (exit 5), showing each service's progress" };
        var timeout = new Option<string>("--timeout") { Description = "With --wait: how long to wait (default 10m)", DefaultValueFactory = _ => "10m" };
        var local = new Option<bool>("--local") { Description = "Push each named service's own build to your <user>-local registry namespace first and deploy those exact digests (docs/cli.md)" };
        var image = new Option<string[]>("--image") { Description = "With --local: service=PATH of an OCI image layout folder or docker save tarball (default: <service>/build/oci or <service>/build/image.tar)", AllowMultipleArgumentsPerToken = true };
        var ansible = new Option<string[]>("--ansible") { Description = "With --local: service=FOLDER pushed as <service>-ansible (default: <service>/ansible when it exists)", AllowMultipleArgumentsPerToken = true };
        var tag = new Option<string>("--tag") { Description = "With --local: the tag to push under (default: local-<UTC time>)" };
        var ns = new Option<string>("--namespace") { Description = "With --local: the registry namespace to push to (default: your own <user>-local; the registry refuses any other)" };
        var output = OutputFormats.CreateOption();
        var command = new Command("deploy", "Deploy services to an environment, creating it when it does not exist (the platform design's platform-deploy)")
        {
            environment, services, type, pool, payload, file, onlySpecified, devTags, wait, timeout, local, image, ansible, tag, ns, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var waitFor = parse.GetValue(wait) ? InstancesCommand.ParseDuration(parse.GetValue(timeout)!, "--timeout") : (TimeSpan?)null;
            var claim = await ClaimInput.ReadAsync(parse.GetValue(file), parse.GetValue(payload), console, cancellationToken);
            var name = parse.GetValue(environment) ?? NonEmpty(claim?.EnvironmentName)
                ?? throw CliException.Usage("name the environment: --environment NAME (or environment_name in the claim)");
            var named = ClaimInput.Merge(claim?.Services ?? [], ClaimInput.ParseServices(parse.GetValue(services) ?? [], "--services"));
            if (named.Count == 0)
            {
                throw CliException.Usage("name the services to deploy: --services name:version … (or services in the claim)");
            }

            bool? scope = parse.GetValue(onlySpecified) ? true : claim?.DeployOnlySpecified;
            var askedType = parse.GetValue(type) ?? NonEmpty(claim?.EnvironmentType);
            var askedPool = parse.GetValue(pool) ?? NonEmpty(claim?.EnvironmentPool);

            if (!parse.GetValue(local) && (parse.GetValue(image) is { Length: > 0 } || parse.GetValue(ansible) is { Length: > 0 } || parse.GetValue(tag) is not null || parse.GetValue(ns) is not null))
            {
                throw CliException.Usage("--image, --ansible, --tag and --namespace go with --local");
            }

            using var session = GantrySession.Open(console, parse);
            var existing = await FindAsync(session.Client, name, cancellationToken);
            var effectiveType = existing?.EnvironmentType ?? askedType ?? TypeFromName(name);
            if (parse.GetValue(devTags) && effectiveType != DevTagsType)
            {
                throw CliException.Usage(
                    $"--use-dev-tags: dev tags are the {DevTagsType} type's policy, and environment/{name} is {Article(effectiveType)} {effectiveType} environment; deploy to a {DevTagsType} environment (--type {DevTagsType}) to use them");
            }

            var format = OutputFormats.Get(parse, output);
            if (parse.GetValue(local))
            {
                if (existing is not null)
                {
                    RefuseChangeOfIdentity(existing, askedType, askedPool);
                }

                named = await new LocalBuildPusher(console, session).PushAsync(named, parse.GetValue(image) ?? [], parse.GetValue(ansible) ?? [], parse.GetValue(tag), parse.GetValue(ns), cancellationToken);
            }

            EnvironmentDetails deployed;
            if (existing is null)
            {
                var request = (claim ?? new EnvironmentClaimRequest { EnvironmentName = name, EnvironmentType = effectiveType, EnvironmentPool = string.Empty }) with
                {
                    EnvironmentName = name,
                    EnvironmentType = effectiveType,
                    EnvironmentPool = askedPool ?? PoolFromName(name, effectiveType) ?? session.RequireTenant(null),
                    Services = named,
                    DeployOnlySpecified = scope,
                };
                var created = await session.Client.CreateEnvironmentAsync(request, cancellationToken);
                if (created.Environment is null || format != OutputFormat.Table)
                {
                    EnvCommand.WriteCreation(console, format, created);
                    return created.Environment is null || waitFor is null ? ExitCodes.Success : await WaitAsync(console, session.Client, name, waitFor.Value, quiet: true, cancellationToken);
                }

                deployed = created.Environment;
                WriteDeployed(console, deployed, "created");
            }
            else
            {
                RefuseChangeOfIdentity(existing, askedType, askedPool);
                var patch = new EnvironmentPatch { Services = ServicesPatch(named), DeployOnlySpecified = scope };
                deployed = await session.Client.PatchEnvironmentAsync(name, patch, existing.Revision, cancellationToken);
                if (format != OutputFormat.Table)
                {
                    EnvCommand.WriteEnvironment(console, format, deployed, null);
                    return waitFor is null ? ExitCodes.Success : await WaitAsync(console, session.Client, name, waitFor.Value, quiet: true, cancellationToken);
                }

                WriteDeployed(console, deployed, "updated");
            }

            return waitFor is null ? ExitCodes.Success : await WaitAsync(console, session.Client, name, waitFor.Value, quiet: console.Quiet, cancellationToken);
        });
        return command;
    }

    /// <summary>The design's type named by the name's first part (<c>sue-…</c>), else dev.</summary>
    public static string TypeFromName(string name) =>
        DesignTypes.FirstOrDefault(t => name.StartsWith(t + "-", StringComparison.Ordinal)) ?? "dev";

    /// <summary>The team pool the design's naming puts second, after the type: <c>team1</c> in <c>dev-team1-feature-x</c>.</summary>
    public static string? PoolFromName(string name, string type) =>
        name.StartsWith(type + "-", StringComparison.Ordinal) && name[(type.Length + 1)..].Split('-')[0] is { Length: > 0 } pool ? pool : null;

    private static async Task<EnvironmentDetails?> FindAsync(GantryClient client, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetEnvironmentAsync(name, cancellationToken);
        }
        catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A deploy changes services; an environment's type and pool are fixed at creation.</summary>
    private static void RefuseChangeOfIdentity(EnvironmentDetails existing, string? type, string? pool)
    {
        if (type is not null && type != existing.EnvironmentType)
        {
            throw new CliException(
                $"environment/{existing.EnvironmentName} is {Article(existing.EnvironmentType)} {existing.EnvironmentType} environment; its type cannot change (delete it and deploy again as {type})", ExitCodes.Conflict);
        }

        if (pool is not null && pool != existing.EnvironmentPool)
        {
            throw new CliException(
                $"environment/{existing.EnvironmentName} belongs to pool {existing.EnvironmentPool}; its pool cannot change (environment names are unique across pools)", ExitCodes.Conflict);
        }
    }

    /// <summary>The named services as a merge patch of the claim's services map: each named one set, the others left as they are.</summary>
    private static JsonObject ServicesPatch(IReadOnlyList<EnvironmentServiceSpec> services) =>
        JsonSerializer.SerializeToNode(services, ServicesJson)!.AsObject();

    private static void WriteDeployed(CliConsole console, EnvironmentDetails environment, string verb)
    {
        if (console.Quiet)
        {
            return;
        }

        console.Done($"environment/{environment.EnvironmentName} {verb} ({environment.EnvironmentType}, pool {environment.EnvironmentPool}, revision {Display.Revision(environment.Revision)})");
        RecordWriter.WriteTable(console, environment.Services,
        [
            new("SERVICE", s => s.Name),
            new("VERSION", s => s.Version),
            new("RESOLVED", s => s.ResolvedVersion),
            new("NODE POOL", s => s.NodePool),
            new("NAMED", s => s.Implicit ? "no" : "yes"),
        ]);
    }

    private static string Article(string word) => word.Length > 0 && "aeiou".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
