using Gantry.Server.Hosting;

// Settings ship beside the binary; the data folder is relative to where Gantry is started.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGantry(args);

return await builder.RunGantryAsync(app => app.UseGantry().MapGantry());

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
