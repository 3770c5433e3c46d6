namespace Gantry.Server.Deployment;

/// <summary>How serious a <see cref="DeploymentFinding"/> is: an error fails <c>check --deploy</c> and a strict start.</summary>
public enum FindingLevel
{
    Warning,
    Error,
}

/// <summary>
/// One finding of the production self-check, in the manner of Django's <c>check --deploy</c>: a stable id
/// (<c>area.E001</c> for errors, <c>area.W001</c> for warnings), what is wrong, and the setting that fixes it.
/// </summary>
public sealed record DeploymentFinding(string Id, FindingLevel Level, string Message, string Fix)
{
    public static DeploymentFinding Error(string id, string message, string fix) => new(id, FindingLevel.Error, message, fix);

    public static DeploymentFinding Warning(string id, string message, string fix) => new(id, FindingLevel.Warning, message, fix);

    public override string ToString() =>
        $"{Id} {(Level == FindingLevel.Error ? "ERROR" : "WARNING")}: {Message}{Environment.NewLine}    fix: {Fix}";
}
