using Gantry.Core.Validation;

namespace Gantry.Server.Hosting;

/// <summary>
/// The settings files the host reads at start (<c>appsettings.json</c> and <c>appsettings.{environment}.json</c> in
/// the content root), held to <see cref="JsonInput"/>'s rules before the configuration reader sees them. The .NET
/// reader lets the last of two equal keys win silently and fails on other faults with a stack trace; this says which
/// file, which line and byte, and what to fix. Comments and trailing commas stay allowed, as the reader allows them.
/// </summary>
internal static class SettingsFiles
{
    /// <summary>The first problem of the settings files for a start with <paramref name="args"/>, or null.</summary>
    public static string? FindProblem(string contentRoot, IReadOnlyList<string> args)
    {
        foreach (var name in new[] { "appsettings.json", $"appsettings.{EnvironmentName(args)}.json" })
        {
            var path = Path.Combine(contentRoot, name);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                JsonInput.CheckFile(File.ReadAllBytes(path), path, allowComments: true);
            }
            catch (JsonInputException e)
            {
                return $"{e.Message} Fix the settings file.";
            }
            catch (IOException e)
            {
                return $"{path} cannot be read: {e.Message}";
            }
        }

        return null;
    }

    // The host's own order: --environment on the command line, then ASPNETCORE_ and DOTNET_ENVIRONMENT, then Production.
    private static string EnvironmentName(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith("--environment=", StringComparison.Ordinal))
            {
                return args[i]["--environment=".Length..];
            }

            if (args[i] == "--environment" && i + 1 < args.Count)
            {
                return args[i + 1];
            }
        }

        return Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspnet ? aspnet
            : Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
            : "Production";
    }
}
