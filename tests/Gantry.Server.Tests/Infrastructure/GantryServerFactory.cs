using Gantry.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// Gantry in-process on a temp data folder (SQLite file + bare Git repository), as a user would run it with no
/// configuration. Runs as Production so error responses are the ones users see.
/// </summary>
public sealed class GantryServerFactory : WebApplicationFactory<Program>
{
    private readonly TempFolder? _ownedFolder;
    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);
    private readonly List<ILoggerProvider> _loggerProviders = [];
    private readonly List<Action<IServiceCollection>> _configureServices = [];

    public GantryServerFactory(string? dataDir = null)
    {
        if (dataDir is null)
        {
            _ownedFolder = new TempFolder("gantry-server");
            dataDir = _ownedFolder.Path;
        }

        DataDir = dataDir;
        _settings["Gantry:DataDir"] = dataDir;
        _settings["GANTRY_BOOTSTRAP_ADMIN_PASSWORD"] = AdminPassword;

        // Every server starts the sealing key pool: small keys, one at a time, keep test servers cheap on CPU.
        _settings["Sealing:KeyPool:KeySizeBits"] = "2048";
        _settings["Sealing:KeyPool:Capacity"] = "1";

        // The tests' engines (capture servers, the test GitOps engine) listen on loopback.
        _settings["Status:NotifyAllowLoopback"] = "true";
    }

    public const string AdminPassword = "test-admin-password";

    public string DataDir { get; }

    /// <summary>A client signed in as the bootstrap platform administrator.</summary>
    public async Task<HttpClient> CreateAdminClientAsync()
    {
        var client = CreateClient();
        var login = await client.LoginAsync("admin", AdminPassword);
        return client.WithBearer(login.GetProperty("access_token").GetString()!);
    }

    public GantryServerFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Adds a logger provider (e.g. <see cref="CapturingLoggerProvider"/>) to the server's logging.</summary>
    public GantryServerFactory WithLogger(ILoggerProvider provider)
    {
        _loggerProviders.Add(provider);
        return this;
    }

    /// <summary>Adds services after Gantry's own, e.g. a handler a test brings; call before the first client.</summary>
    public GantryServerFactory WithServices(Action<IServiceCollection> configure)
    {
        _configureServices.Add(configure);
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging =>
        {
            foreach (var provider in _loggerProviders)
            {
                logging.AddProvider(provider);
            }
        });
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        foreach (var configure in _configureServices)
        {
            builder.ConfigureTestServices(configure);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownedFolder?.Dispose();
        }
    }
}
