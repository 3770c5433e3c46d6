using Gantry.Core.Buckets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Buckets;

public static class BucketServiceCollectionExtensions
{
    /// <summary>The logical bucket that holds dynamic environment claims.</summary>
    public const string Environments = "environments";

    /// <summary>The logical bucket the claims of static environments are published to once committed (only Gantry writes it).</summary>
    public const string StaticEnvironments = "static-environments";

    /// <summary>
    /// Registers the bucket <paramref name="name"/> as a keyed singleton <see cref="IObjectBucket"/> (resolve it with
    /// <c>[FromKeyedServices("environments")]</c>), its backend chosen by <c>Buckets:Provider</c>. Settings are bound
    /// from the "Buckets" section and then from "Buckets:&lt;Name&gt;", and checked at start.
    /// </summary>
    public static IServiceCollection AddObjectBucket(this IServiceCollection services, IConfiguration configuration, string name = Environments,
        Action<ObjectBucketOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ObjectBucketOptions.SectionName);
        services.AddOptions<ObjectBucketOptions>(name).Bind(section).Bind(section.GetSection(name));
        return services.AddObjectBucket(name, configure);
    }

    /// <summary>Registers the bucket <paramref name="name"/> configured only by code.</summary>
    public static IServiceCollection AddObjectBucket(this IServiceCollection services, string name, Action<ObjectBucketOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var builder = services.AddOptions<ObjectBucketOptions>(name).Configure(o => o.LogicalName = name);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ObjectBucketOptions>, ObjectBucketOptionsValidator>());
        services.TryAddSingleton(sp => new BucketMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddKeyedSingleton<IObjectBucket>(name, (sp, _) => new MeteredBucket(Create(sp, name), name, sp.GetRequiredService<BucketMetrics>()));
        return services;
    }

    private static IObjectBucket Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<ObjectBucketOptions>>().Get(name);
        return options.Provider == BucketProviders.S3
            ? S3Bucket.Create(options, services.GetService<ILogger<S3Bucket>>())
            : new FileSystemBucket(options.ResolveFolder(), options.SyncToDisk);
    }
}
