using Gantry.Cli;

return await GantryCommandLine.RunAsync(args, CliConsole.FromProcess());
