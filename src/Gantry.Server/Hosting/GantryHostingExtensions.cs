using Gantry.Buckets;
using Gantry.Data;
using Gantry.Server.ApiKeys;
using Gantry.Server.Audit;
using Gantry.Server.Auth;
using Gantry.Server.Catalog;
using Gantry.Server.Environments;
using Gantry.Server.ChangeRequests;
using Gantry.Server.Identity;
using Gantry.Server.Instances;
using Gantry.Server.Registry;
using Gantry.Server.Rollouts;
using Gantry.Server.Tenants;
using Gantry.Server.Users;
using Gantry.Data.Users;
using Gantry.Git;
using Gantry.Registries;
using Gantry.Server.Bootstrap;
using Gantry.Server.Errors;
using Gantry.Server.Health;
using Gantry.Server.Logging;
using Gantry.Server.Sealing;
using Gantry.Server.Status;
using Gantry.Server.Telemetry;
using Gantry.Server.Ui;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Gantry.Server.Hosting;

/// <summary>The composition root: <c>Program.cs</c> calls these four methods and nothing else.</summary>
public static class GantryHostingExtensions
{
    /// <summary>Where Gantry listens when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c>/<c>HTTP_PORTS</c> says.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationBuilder AddGantry(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
        {
            ["--data-dir"] = $"{GantryOptions.SectionName}:{nameof(GantryOptions.DataDir)}",
        });

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"])
            && string.IsNullOrEmpty(builder.Configuration["https_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddGantryServices(builder.Configuration);
        return builder;
    }

    public static IServiceCollection AddGantryServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GantryOptions>().BindConfiguration(GantryOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GantryOptions>, GantryOptionsValidator>());
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<GantryOptions>>((kestrel, gantry) =>
            {
                // Kestrel answers its own limits with a bare status before any middleware; RequestLimitsMiddleware
                // enforces Gantry's lower ones with a problem document, Kestrel's stay as the last resort.
                kestrel.Limits.MaxRequestBodySize = gantry.Value.MaxRequestBodyBytes;
                kestrel.Limits.MaxRequestLineSize = gantry.Value.MaxUrlBytes * RequestLimitsMiddleware.KestrelHeadroom;
                kestrel.Limits.MaxRequestHeadersTotalSize = gantry.Value.MaxRequestHeadersBytes * RequestLimitsMiddleware.KestrelHeadroom;
            });
        // Behind an ingress that ends TLS: believe the forwarded client address and scheme, but only from the proxies named.
        services.AddOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>().Configure<IOptions<GantryOptions>>((forwarded, gantry) =>
        {
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var proxy in gantry.Value.TrustedProxies)
            {
                if (TrustedProxy.TryParse(proxy, out var network))
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
            }

            forwarded.ForwardedHeaders = forwarded.KnownIPNetworks.Count == 0
                ? Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.None
                : Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
        });
        // No origins configured, no policy: the CORS middleware then adds nothing to any answer.
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<GantryOptions>>((cors, gantry) =>
        {
            var origins = gantry.Value.CorsOrigins;
            if (origins.Count > 0)
            {
                cors.AddDefaultPolicy(policy => (origins.Contains("*") ? policy.AllowAnyOrigin() : policy.WithOrigins([.. origins]))
                    .AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("ETag", "Location", "Retry-After"));
            }
        });
        services.TryAddSingleton<Deployment.DeploymentChecks>();

        // Binding failures (a body that does not fit the parameter's type, a query value that is not a number) throw
        // BadHttpRequestException, which GantryExceptionHandler answers in words, instead of a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GantryPaths>();
        services.AddMetadataDatabase(sp => sp.GetRequiredService<GantryPaths>().DatabaseFile);
        services.AddGitStateStore(configuration);
        services.AddOptions<GitOptions>().PostConfigure<IOptions<GantryOptions>>((git, gantry) =>
            git.DataDirectory ??= Path.GetFullPath(gantry.Value.DataDir));
        // The bucket of dynamic environment claims: a folder in the data directory unless Buckets:Provider says s3.
        services.AddObjectBucket(configuration, BucketServiceCollectionExtensions.Environments);
        services.AddOptions<ObjectBucketOptions>(BucketServiceCollectionExtensions.Environments).PostConfigure<IOptions<GantryOptions>>((bucket, gantry) =>
            bucket.DataDirectory ??= Path.GetFullPath(gantry.Value.DataDir));
        // The bucket static environments are published to once committed (Buckets:static-environments:Bucket).
        services.AddObjectBucket(configuration, BucketServiceCollectionExtensions.StaticEnvironments);
        services.AddOptions<ObjectBucketOptions>(BucketServiceCollectionExtensions.StaticEnvironments).PostConfigure<IOptions<GantryOptions>>((bucket, gantry) =>
            bucket.DataDirectory ??= Path.GetFullPath(gantry.Value.DataDir));
        services.AddTagSources();
        services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName);
        services.TryAddSingleton<OfferingCatalog>();
        services.TryAddSingleton<ChartSchemaCheck>();
        services.TryAddSingleton<InstanceService>();
        // After the Git store's own hosted service, so the first pass finds the repository open.
        services.AddOptions<IndexOptions>().BindConfiguration(IndexOptions.SectionName)
            .Validate(o => o.RepairInterval > TimeSpan.Zero && o.RepairInterval <= TimeSpan.FromHours(1), "Index:RepairInterval must be more than 0 and at most 01:00:00.")
            .Validate(o => o.RepairMinimumAge >= TimeSpan.Zero, "Index:RepairMinimumAge must not be negative.")
            .ValidateOnStart();
        services.TryAddSingleton<IndexRepairService>();
        services.AddHostedService(sp => sp.GetRequiredService<IndexRepairService>());
        services.TryAddSingleton<InstanceSecretSealer>();
        services.AddFleetOperations();
        services.AddEnvironments();
        services.AddRegistryTokenServer();
        services.AddDeploymentStatus();
        services.TryAddSingleton<ChangeRequestService>();
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.SectionName);
        services.TryAddSingleton<IPasswordHasher<UserRecord>, PasswordHasher<UserRecord>>();
        services.TryAddSingleton<BootstrapReport>();
        services.TryAddSingleton<AdminBootstrapper>();

        // Registered first so that it runs before everything else that starts.
        services.AddHostedService<GantryInitializer>();
        services.AddHostedService<StartupBanner>();
        services.AddHostedService<SigningKeyInitializer>();
        services.AddGantryIdentity(configuration);
        services.AddSealingCustody();
        services.AddGantryUi();

        services.AddHealthChecks()
            .AddCheck<AppHealthCheck>(HealthCheckNames.App)
            .AddCheck<DatabaseHealthCheck>(HealthCheckNames.Database, tags: [HealthCheckNames.ReadyTag])
            .AddCheck<MigrationsHealthCheck>(HealthCheckNames.Migrations, tags: [HealthCheckNames.ReadyTag])
            .AddCheck<GitHealthCheck>(HealthCheckNames.Git, tags: [HealthCheckNames.ReadyTag])
            .AddCheck<StorageHealthCheck>(HealthCheckNames.Storage)
            .AddCheck<SealingKeyPoolHealthCheck>(HealthCheckNames.SealingKeys)
            .AddCheck<EnvironmentClaimsHealthCheck>(HealthCheckNames.EnvironmentClaims)
            .AddCheck<EngineNotificationsHealthCheck>(HealthCheckNames.EngineNotifications)
            .Add(new HealthCheckRegistration(HealthCheckNames.Serving, sp => sp.GetRequiredService<ShutdownDrain>(), null, [HealthCheckNames.ReadyTag]));
        services.TryAddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());

        // Before AddProblemDetails: the first writer that can write wins, and Gantry's always can.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, GantryProblemDetailsWriter>());
        services.AddProblemDetails();
        services.TryAddSingleton<ErrorMetrics>();
        services.AddGantryTelemetry(configuration);
        services.AddExceptionHandler<GantryExceptionHandler>();
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Gantry API";
                document.Info.Description = "Self-service GitOps control plane: tenants, offerings, instances and environments.";
                return Task.CompletedTask;
            });
            options.AddOperationTransformer<ProblemResponses>();
            options.AddSchemaTransformer((schema, context, _) => EnvironmentClaimDocument.AllowShortServiceForm(schema, context));
        });
        return services;
    }

    public static WebApplication UseGantry(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseGantryTelemetry();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseCors();
        app.UseMiddleware<RegistryBasicCredentials>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        // After sign-in, so a stranger learns nothing from a body before a 401; before every handler and binder.
        app.UseMiddleware<JsonBodyMiddleware>();
        return app;
    }

    public static WebApplication MapGantry(this WebApplication app)
    {
        app.MapGantryHealth();
        app.MapGantryMetrics();
        app.MapOidcProviderEndpoints();
        app.MapOfferingEndpoints();
        app.MapInstanceEndpoints();
        app.MapAdminEndpoints();
        app.MapEnvironmentEndpoints();
        app.MapRegistryEndpoints();
        app.MapTokenEndpoints();
        app.MapWellKnownEndpoints();
        app.MapTenantEndpoints();
        app.MapMemberEndpoints();
        app.MapUserEndpoints();
        app.MapApiKeyEndpoints();
        app.MapSealingKeyEndpoints();
        app.MapAuditEndpoints();
        app.MapChangeRequestEndpoints();
        app.MapClusterEndpoints();
        app.MapEngineWebhookEndpoints();
        app.MapStatusEndpoints();
        app.MapPinEndpoints();
        app.MapRolloutEndpoints();
        app.MapRolloutStreamEndpoints();
        app.MapFleetEndpoints();
        if (app.Services.GetRequiredService<IOptions<GantryOptions>>().Value.ExposeApiReference)
        {
            app.MapOpenApi();
            app.MapScalarApiReference(options => options.WithTitle("Gantry API"));
        }

        // The web UI at /; /scalar (above) stays the API's reference.
        app.MapGantryUi();

        return app;
    }

    /// <summary>
    /// Builds the application and runs <paramref name="command"/>: <c>serve</c> runs it until SIGTERM/Ctrl+C (after the
    /// production check when <see cref="GantryOptions.StrictProduction"/> is on); <c>migrate</c> and <c>check</c> use the
    /// built services without starting them. A start that fails (settings are validated while building and starting)
    /// prints one line naming what to fix and exits 2.
    /// </summary>
    public static async Task<int> RunGantryAsync(this WebApplicationBuilder builder, ServerCommand command, Action<WebApplication> configure)
    {
        try
        {
            var app = builder.Build();
            switch (command.Verb)
            {
                case ServerVerb.Migrate:
                    await using (app)
                    {
                        return await GantryCommands.MigrateAsync(app, Console.Out, Console.Error);
                    }

                case ServerVerb.Check:
                    await using (app)
                    {
                        return await GantryCommands.CheckAsync(app, command.Deploy, Console.Out);
                    }
            }

            if (await GantryCommands.RefuseStrictStartAsync(app, Console.Error))
            {
                return 2;
            }

            configure(app);
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (FindStartupProblem(e) is { } message)
        {
            await Console.Error.WriteLineAsync($"gantry: cannot start: {message}");
            return 2;
        }
    }

    private static string? FindStartupProblem(Exception e) => e switch
    {
        OptionsValidationException options => string.Join(" ", options.Failures),
        GantryStartupException startup => startup.Message,
        Core.State.StateStoreException state => $"Git: {state.Message}",
        AggregateException aggregate => aggregate.InnerExceptions.Select(FindStartupProblem).FirstOrDefault(m => m is not null),
        IOException io when io.Message.Contains("bind", StringComparison.OrdinalIgnoreCase) => io.Message,
        _ => null,
    };
}
