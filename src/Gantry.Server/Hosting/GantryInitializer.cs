using Gantry.Core.Catalog;
using Gantry.Core.Environments;
using Gantry.Data;
using Gantry.Server.Environments;
using Gantry.Server.Catalog;
using Gantry.Data.Migrations;
using Gantry.Server.Bootstrap;

namespace Gantry.Server.Hosting;

/// <summary>
/// Prepares the data folder before the server accepts requests: database, migrations, the catalog and the
/// first-start bootstrap (the Git state store opens, creates or clones its repository in its own hosted service). Runs in <see cref="IHostedLifecycleService.StartingAsync"/>, so a failure
/// stops the start before Kestrel listens.
/// </summary>
internal sealed partial class GantryInitializer(
    IMetadataDatabase database,
    MigrationRunner migrations,
    AdminBootstrapper bootstrapper,
    OfferingCatalog catalog,
    ServiceCatalogProvider services,
    ILogger<GantryInitializer> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        MigrationStatus status;
        try
        {
            await database.EnsureCreatedAsync(cancellationToken);
            status = await migrations.ApplyAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new GantryStartupException($"Database ({database.Provider} at {database.Location}) is not usable: {e.Message}", e);
        }

        Log.DatabaseReady(logger, database.Provider, database.Location, status.AppliedVersion);

        try
        {
            catalog.Load();
        }
        catch (CatalogException e)
        {
            throw new GantryStartupException($"Catalog at {catalog.Folder} is not valid: {string.Join("; ", e.Problems)}", e);
        }

        try
        {
            services.Load();
        }
        catch (ServiceCatalogException e)
        {
            throw new GantryStartupException($"Service catalog at {services.Folder} is not valid: {string.Join("; ", e.Problems)}", e);
        }

        await bootstrapper.RunAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after the server has drained in-flight requests: closes the database cleanly.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        database.ReleasePool();
        Log.DatabaseClosed(logger, database.Provider);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Metadata database {Provider} at {Location} is at schema version {Version}")]
        public static partial void DatabaseReady(ILogger logger, string provider, string location, int version);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Closed the {Provider} metadata database")]
        public static partial void DatabaseClosed(ILogger logger, string provider);
    }
}
