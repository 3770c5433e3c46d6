using Gantry.Core.Catalog;
using Gantry.Testing.Engines;

namespace Gantry.Server.Tests.Status;

/// <summary>
/// A test engine of one kind reading a temp repository, posting to a <see cref="CaptureServer"/> in place of Gantry,
/// and a client to notify it with.
/// </summary>
public sealed class EngineWorld(GitOpsEngine engine, string secret) : IAsyncLifetime
{
    public string Secret => secret;

    public GitOpsRepository Repository { get; } = new();

    public HttpClient Client { get; } = new();

    public CaptureServer Gantry { get; private set; } = null!;

    public TestGitOpsEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gantry = await CaptureServer.StartAsync();
        Engine = new TestGitOpsEngine(new TestGitOpsEngineOptions
        {
            Engine = engine,
            Repository = Repository.Bare,
            GantryWebhookUrl = Gantry.Url,
            Secret = secret,
        });
        await Engine.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        await Gantry.DisposeAsync();
        Client.Dispose();
        Repository.Dispose();
    }
}
