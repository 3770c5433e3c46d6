using Spectre.Console;

namespace Gantry.Cli;

/// <summary>The question before a command removes something: asked on a terminal, replaced by <c>--yes</c> elsewhere.</summary>
internal static class CliConfirmation
{
    /// <summary>
    /// Whether to go on: at once with <paramref name="yes"/>; else the person's answer to <paramref name="question"/>
    /// (markup) on a terminal; off a terminal a usage error that names <c>--yes</c>.
    /// </summary>
    public static async Task<bool> ConfirmAsync(CliConsole console, bool yes, string action, string question, CancellationToken cancellationToken)
    {
        if (yes)
        {
            return true;
        }

        if (!console.IsInputTerminal)
        {
            throw CliException.Usage($"{action} needs confirmation: pass --yes when standard input is not a terminal");
        }

        if (await console.Ansi(error: true).PromptAsync(new ConfirmationPrompt(question) { DefaultValue = false }, cancellationToken))
        {
            return true;
        }

        console.Notice("Nothing changed.");
        return false;
    }
}
