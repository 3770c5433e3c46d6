using Gantry.Server.Bootstrap;
using Gantry.Server.Telemetry;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Hosting;

/// <summary>Prints where to open Gantry and how to log in, once the server listens. Written to stdout for people, not to the logs.</summary>
internal sealed class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServer server,
    GantryPaths paths,
    BootstrapReport report,
    IOptions<TelemetryOptions> telemetry,
    TextWriter? output = null) : IHostedService
{
    private readonly TextWriter _output = output ?? Console.Out;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        var url = addresses?.FirstOrDefault() ?? "(no address)";
        var lines = new List<string>
        {
            string.Empty,
            "  Gantry is running.",
            $"  Open:        {url}",
            $"  API docs:    {url.TrimEnd('/')}/scalar",
            $"  Health:      {url.TrimEnd('/')}/hc",
            $"  Data folder: {paths.DataDir}",
        };

        if (telemetry.Value.Metrics)
        {
            lines.Insert(lines.Count - 1, $"  Metrics:     {url.TrimEnd('/')}{telemetry.Value.MetricsPath}");
        }

        if (report.TakeGeneratedAdminPassword() is { } password)
        {
            lines.Add($"  Log in as:   {AdminBootstrapper.AdminUsername} / {password}");
            lines.Add("               (generated now and shown only this once: keep it, or set GANTRY_BOOTSTRAP_ADMIN_PASSWORD before the first start)");
        }
        else if (report.AdminCreated)
        {
            lines.Add($"  Log in as:   {AdminBootstrapper.AdminUsername} with the password from {AdminBootstrapper.PasswordVariable}");
        }
        else
        {
            lines.Add($"  Log in as:   {AdminBootstrapper.AdminUsername} with the password set at the first start");
        }

        lines.Add(string.Empty);
        _output.WriteLine(string.Join(Environment.NewLine, lines));
        _output.Flush();
    }
}
