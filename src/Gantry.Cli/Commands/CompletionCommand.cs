using System.CommandLine;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry completion bash|zsh|fish|pwsh</c> prints a script that asks gantry itself what may come next:
/// <c>gantry __complete WORD…</c> (the words so far, the last one being completed) answers one candidate per line
/// from the command tree's own completions, so the scripts never go stale as commands are added.
/// </summary>
internal static class CompletionCommand
{
    /// <summary>The hidden entry point the scripts call.</summary>
    public const string CompleteVerb = "__complete";

    private const string Bash = """
        # gantry completion for bash: source <(gantry completion bash), or save it under bash-completion's completions folder
        _gantry_complete() {
            local IFS=$'\n'
            COMPREPLY=($(gantry __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
        }
        complete -o default -F _gantry_complete gantry

        """;

    private const string Zsh = """
        #compdef gantry
        # gantry completion for zsh: gantry completion zsh > "${fpath[1]}/_gantry", or source <(gantry completion zsh)
        _gantry() {
            local -a candidates
            candidates=("${(@f)$(gantry __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
            compadd -a candidates
        }
        if [ "$funcstack[1]" = "_gantry" ]; then _gantry "$@"; else compdef _gantry gantry; fi

        """;

    private const string Fish = """
        # gantry completion for fish: gantry completion fish > ~/.config/fish/completions/gantry.fish
        complete -c gantry -f -a '(gantry __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'

        """;

    private const string Pwsh = """
        # gantry completion for PowerShell: gantry completion pwsh | Out-String | Invoke-Expression (e.g. in $PROFILE)
        Register-ArgumentCompleter -Native -CommandName gantry -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
            if ($wordToComplete -eq '') { $words += '""' }
            gantry __complete @words 2>$null | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;

    public static Command Create(CliConsole console)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh, fish or pwsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish", "pwsh");
        var command = new Command("completion", "Print the shell completion script for bash, zsh, fish or pwsh") { shell };
        command.SetAction(parse =>
        {
            console.Output.Write(parse.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                "fish" => Fish,
                _ => Pwsh,
            });
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The candidates for the last of <paramref name="words"/> (empty: anything that may come next), one per line.</summary>
    public static int Complete(RootCommand root, IReadOnlyList<string> words, CliConsole console)
    {
        var typed = words.Count == 0 ? [string.Empty] : words.Select(w => w == "\"\"" ? string.Empty : w).ToList();
        var current = typed[^1];
        foreach (var candidate in root.Parse(typed).GetCompletions()
                     .Select(c => c.Label)
                     .Where(l => l.StartsWith(current, StringComparison.Ordinal) && !l.StartsWith("__", StringComparison.Ordinal))
                     .Where(l => !l.StartsWith('/') && l != "-?") // the help option's Windows-style aliases
                     .Distinct(StringComparer.Ordinal))
        {
            console.Output.WriteLine(candidate);
        }

        return ExitCodes.Success;
    }
}
