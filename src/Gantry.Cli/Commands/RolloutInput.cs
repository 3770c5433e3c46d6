using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Gantry.Cli.Commands;

/// <summary>
/// The body of a rollout (<c>preview</c> and <c>start</c>): a file (YAML or JSON, the API's request), then each flag over
/// it, so a one-off upgrade needs no file: <c>--offering runner --version ~2.2 --wave t01,t02 --wave 50% --wave 100%</c>.
/// </summary>
internal sealed class RolloutInput
{
    private readonly Option<string> _file = new("--file", "-f") { Description = "Rollout request file (YAML or JSON, as POST /api/v1/rollouts takes it); - reads standard input" };
    private readonly Option<string> _offering = new("--offering") { Description = "The offering whose instances change" };
    private readonly Option<string> _version = new("--version") { Description = "The chart version constraint to move to, e.g. ~2.2.0" };
    private readonly Option<string[]> _set = new("--set") { Description = "Values merge patch: path=value, typed (3, true, null removes); repeatable" };
    private readonly Option<string[]> _tenants = new("--tenants") { Description = "Only these tenants (comma-separated)", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string[]> _instances = new("--instances") { Description = "Only these instance names (comma-separated)" };
    private readonly Option<string> _fromVersion = new("--from-version") { Description = "Only instances whose chart version matches this range, e.g. <2.2.0" };
    private readonly Option<string> _phase = new("--phase") { Description = "Only instances in this phase, e.g. Ready" };
    private readonly Option<string[]> _waves = new("--wave") { Description = "A wave, in order: a percent (50%) or tenants (t01,t02); repeatable (default: one wave of all)" };
    private readonly Option<string> _gate = new("--gate") { Description = "What each wave waits for: Ready (the engines' report, default) or Committed" };
    private readonly Option<string> _gateTimeout = new("--gate-timeout") { Description = "How long a wave may take to be Ready, e.g. 10m (default 10m)" };
    private readonly Option<int?> _threshold = new("--failure-threshold") { Description = "How many instances of a wave may fail before the rollout pauses (default 0)" };
    private readonly Option<bool> _force = new("--force") { Description = "Allow downgrades the offering refuses (platform admins only)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _file, _offering, _version, _set, _tenants, _instances, _fromVersion, _phase, _waves, _gate, _gateTimeout, _threshold, _force })
        {
            command.Options.Add(option);
        }
    }

    public async Task<JsonObject> ReadAsync(ParseResult parse, CliConsole console, CancellationToken cancellationToken)
    {
        var request = await ValuesInput.ReadAsync(parse.GetValue(_file), [], [], console, cancellationToken) ?? [];
        Put(request, parse.GetValue(_offering), "offering");
        Put(Child(request, "change"), parse.GetValue(_version), "version");
        foreach (var assignment in parse.GetValue(_set) ?? [])
        {
            ValuesInput.Set(Child(Child(request, "change"), "values"), assignment, typed: true);
        }

        PutList(Child(request, "selector"), "tenants", parse.GetValue(_tenants));
        PutList(Child(request, "selector"), "instances", parse.GetValue(_instances));
        Put(Child(request, "selector"), parse.GetValue(_fromVersion), "chartVersion");
        Put(Child(request, "selector"), parse.GetValue(_phase), "phase");
        if (parse.GetValue(_waves) is { Length: > 0 } waves)
        {
            Child(request, "strategy")["waves"] = new JsonArray([.. waves.Select(Wave)]);
        }

        Put(Child(Child(request, "strategy"), "gate"), parse.GetValue(_gate), "phase");
        Put(Child(Child(request, "strategy"), "gate"), parse.GetValue(_gateTimeout), "timeout");
        if (parse.GetValue(_threshold) is { } threshold)
        {
            Child(Child(request, "strategy"), "gate")["failureThreshold"] = threshold;
        }

        if (parse.GetValue(_force))
        {
            request["force"] = true;
        }

        return request;
    }

    private static JsonNode Wave(string text)
    {
        var percent = text.TrimEnd('%');
        if (int.TryParse(percent, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return new JsonObject { ["percent"] = value };
        }

        var tenants = Split([text]);
        return tenants.Length > 0 ? new JsonObject { ["tenants"] = new JsonArray([.. tenants.Select(t => (JsonNode)t)]) }
            : throw CliException.Usage($"--wave '{text}' is neither a percent (50%) nor a list of tenants (t01,t02)");
    }

    private static void Put(JsonObject target, string? value, string key)
    {
        if (value is not null)
        {
            target[key] = value;
        }
    }

    private static void PutList(JsonObject target, string key, string[]? values)
    {
        if (values is { Length: > 0 })
        {
            target[key] = new JsonArray([.. Split(values).Select(v => (JsonNode)v)]);
        }
    }

    private static string[] Split(string[] values) =>
        [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    // The object under key, made when missing; an empty one is harmless (the server reads an absent and an empty alike).
    private static JsonObject Child(JsonObject parent, string key) =>
        parent[key] as JsonObject ?? (JsonObject)(parent[key] = new JsonObject());
}
