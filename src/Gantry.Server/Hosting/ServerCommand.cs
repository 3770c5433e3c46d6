namespace Gantry.Server.Hosting;

/// <summary>What the server executable was asked to do: the first argument names it, the rest are settings.</summary>
public enum ServerVerb
{
    /// <summary>Serve the API until stopped (the default, what <c>make run</c> and the container do).</summary>
    Serve,

    /// <summary>Apply the database migrations and exit (the Kubernetes init container).</summary>
    Migrate,

    /// <summary>Check the settings and exit; with <c>--deploy</c> also the production checklist.</summary>
    Check,
}

/// <summary>
/// The command line of the server executable: <c>[serve|migrate|check [--deploy]] [settings...]</c>. Anything else
/// first (an option such as <c>--urls</c>, or nothing) means <c>serve</c>, so the command lines that worked before
/// commands existed keep working.
/// </summary>
public sealed record ServerCommand(ServerVerb Verb, bool Deploy, string[] Arguments)
{
    public const string Usage = "usage: Gantry.Server [serve | migrate | check [--deploy]] [--urls URL] [--data-dir DIR] [--Section:Key value ...]";

    /// <summary>The command, or null (with <paramref name="error"/>) for a first word that is no command.</summary>
    public static ServerCommand? Parse(string[] args, out string? error)
    {
        error = null;
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return new ServerCommand(ServerVerb.Serve, false, args);
        }

        var rest = args[1..];
        switch (args[0])
        {
            case "serve":
                return new ServerCommand(ServerVerb.Serve, false, rest);
            case "migrate":
                return new ServerCommand(ServerVerb.Migrate, false, rest);
            case "check":
                // --deploy is a flag of the command, not a setting: the configuration parser would want a value after it.
                return new ServerCommand(ServerVerb.Check, rest.Contains("--deploy"), [.. rest.Where(a => a != "--deploy")]);
            default:
                error = $"unknown command '{args[0]}'";
                return null;
        }
    }
}
