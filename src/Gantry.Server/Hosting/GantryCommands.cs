using Gantry.Data;
using Gantry.Data.Migrations;
using Gantry.Server.Deployment;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Hosting;

/// <summary>
/// The commands beside <c>serve</c>: each runs on the same built application (the same settings, the same services)
/// without starting it, prints to stdout for people and scripts, and returns the exit code.
/// </summary>
internal static class GantryCommands
{
    /// <summary>
    /// Applies the migrations and exits: 0 when the schema is current (a second run applies nothing), 1 when the
    /// database cannot be migrated. Several at once are safe, see <see cref="MigrationRunner.ApplyAsync"/>.
    /// </summary>
    public static async Task<int> MigrateAsync(WebApplication app, TextWriter output, TextWriter error)
    {
        var database = app.Services.GetRequiredService<IMetadataDatabase>();
        try
        {
            await database.EnsureCreatedAsync();
            var status = await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync();
            await output.WriteLineAsync(
                $"gantry: migrate: applied {status.NewlyApplied} migration(s); {database.Provider} at {database.Location} is at schema version {status.AppliedVersion}.");
            return 0;
        }
        catch (Exception e) when (e is not OptionsValidationException)
        {
            await error.WriteLineAsync($"gantry: migrate: {database.Provider} at {database.Location} cannot be migrated: {e.Message}");
            return 1;
        }
        finally
        {
            database.ReleasePool();
        }
    }

    /// <summary>
    /// Checks the settings as a start would (the options validators), and with <paramref name="deploy"/> the production
    /// checklist. Prints every finding; exits 1 when any is an error.
    /// </summary>
    public static async Task<int> CheckAsync(WebApplication app, bool deploy, TextWriter output)
    {
        var findings = FindSettingProblems(app).ToList();
        if (deploy)
        {
            findings.AddRange(app.Services.GetRequiredService<DeploymentChecks>().Run());
        }

        await output.WriteLineAsync(Describe(findings, deploy ? "check --deploy" : "check"));
        return findings.Any(f => f.Level == FindingLevel.Error) ? 1 : 0;
    }

    /// <summary>
    /// With <see cref="GantryOptions.StrictProduction"/>, the start runs the production checklist first and refuses
    /// (true) on any error, after printing the findings to <paramref name="error"/>.
    /// </summary>
    public static async Task<bool> RefuseStrictStartAsync(WebApplication app, TextWriter error)
    {
        if (!app.Services.GetRequiredService<IOptions<GantryOptions>>().Value.StrictProduction)
        {
            return false;
        }

        var findings = app.Services.GetRequiredService<DeploymentChecks>().Run();
        if (!findings.Any(f => f.Level == FindingLevel.Error))
        {
            return false;
        }

        await error.WriteLineAsync($"gantry: cannot start: Gantry:StrictProduction is on and the production check failed.{Environment.NewLine}{Describe(findings, "check --deploy")}");
        return true;
    }

    // The validators that ValidateOnStart would run at start, each failure one finding.
    private static IEnumerable<DeploymentFinding> FindSettingProblems(WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException)
        {
            var failures = e is AggregateException aggregate
                ? aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(o => o.Failures)
                : ((OptionsValidationException)e).Failures;
            return [.. failures.Select(f => DeploymentFinding.Error("config.E001", f, "the setting the message names"))];
        }
    }

    private static string Describe(IReadOnlyCollection<DeploymentFinding> findings, string what)
    {
        var errors = findings.Count(f => f.Level == FindingLevel.Error);
        var summary = $"gantry {what}: {errors} error(s), {findings.Count - errors} warning(s).";
        return findings.Count == 0
            ? summary
            : string.Join(Environment.NewLine, findings.OrderByDescending(f => f.Level).ThenBy(f => f.Id, StringComparer.Ordinal).Select(f => f.ToString()).Append(summary));
    }
}
