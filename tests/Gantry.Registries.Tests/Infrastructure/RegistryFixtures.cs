using Gantry.Testing.Registries;

namespace Gantry.Registries.Tests.Infrastructure;

/// <summary>One anonymous docker-registry for a test class, with tags pushed once.</summary>
public sealed class AnonymousRegistryFixture : IAsyncLifetime
{
    public const string Repository = "team/user-service";
    public const string ChartRepository = "charts/qdrant";

    public static readonly string[] Tags =
    [
        "latest", "main", "sha-3f2a9c1", "v0.9.0", "v1.0.0", "v1.0.5", "v1.2.0", "v1.2.3", "v1.2.4-rc.1",
        "v1.10.0", "v2.0.0-beta.1", "v2.1.0", "v2.1.1",
    ];

    // Helm pushes chart versions as tags, '+' written as '_'.
    public static readonly string[] ChartTags = ["0.9.0", "1.12.4", "1.13.0", "1.13.1_build.2", "1.14.0-rc.1"];

    public DockerRegistry Registry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Registry = await DockerRegistry.StartAsync();
        await Registry.PushTagsAsync(Repository, Tags);
        await Registry.PushTagsAsync(ChartRepository, ChartTags);
    }

    public Task DisposeAsync()
    {
        Registry?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>A docker-registry with <c>auth: token</c> trusting a loopback token service.</summary>
public sealed class TokenRegistryFixture : IAsyncLifetime
{
    public const string Repository = "team/auth-service";

    public static readonly string[] Tags = ["v1.0.0", "v1.0.5", "v1.1.0", "v2.0.0"];

    public RegistryTokenIssuer Tokens { get; } = new();

    public DockerRegistry Registry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Registry = await DockerRegistry.StartAsync(Tokens.Auth);
        await Registry.PushTagsAsync(Repository, Tags);
    }

    public Task DisposeAsync()
    {
        Registry?.Dispose();
        Tokens.Dispose();
        return Task.CompletedTask;
    }
}
