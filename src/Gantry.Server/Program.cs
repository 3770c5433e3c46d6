using Gantry.Server.Hosting;

if (ServerCommand.Parse(args, out var error) is not { } command)
{
    await Console.Error.WriteLineAsync($"gantry: {error}{Environment.NewLine}{ServerCommand.Usage}");
    return 64; // EX_USAGE
}

if (SettingsFiles.FindProblem(AppContext.BaseDirectory, command.Arguments) is { } settings)
{
    await Console.Error.WriteLineAsync($"gantry: cannot start: {settings}");
    return 2;
}

// Settings ship beside the binary; the data folder is relative to where Gantry is started.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = command.Arguments, ContentRootPath = AppContext.BaseDirectory });
builder.AddGantry(command.Arguments);

return await builder.RunGantryAsync(command, app => app.UseGantry().MapGantry());

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
