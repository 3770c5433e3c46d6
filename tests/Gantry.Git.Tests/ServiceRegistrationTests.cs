using Gantry.Core.State;
using Gantry.Git.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gantry.Git.Tests;

public sealed class ServiceRegistrationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_host_starts_the_store_from_configuration_and_drains_it_on_stop()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Git:DataDirectory"] = _temp.Path,
            ["Git:Branch"] = "live",
            ["Git:CommitMode"] = "PerBatch",
            ["Git:SyncToDisk"] = "false",
        });
        builder.Services.AddGitStateStore(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();

        var store = host.Services.GetRequiredService<IStateStore>();
        Assert.Same(host.Services.GetRequiredService<GitStateStore>(), store);
        var pending = Enumerable.Range(0, 20).Select(i => store.CommitAsync(Stores.Put($"h/{i}.txt", $"{i}"))).ToList();
        await host.StopAsync();

        var revisions = await Task.WhenAll(pending);
        var repo = Path.Combine(_temp.Path, "state.git");
        Assert.Equal(revisions.Last(), GitCli.Run(repo, "rev-parse", "live").Trim());
        Assert.Equal(20, GitCli.Run(repo, "ls-tree", "-r", "--name-only", "live").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Bad_options_are_refused_at_start_naming_the_key()
    {
        var services = new ServiceCollection();
        services.AddGitStateStore(o =>
        {
            o.Remote = "ftp://example.com/repo.git";
            o.MaxBatchSize = 0;
        });
        using var provider = services.BuildServiceProvider();

        var problem = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GitOptions>>().Value);
        Assert.Contains("Git:RepositoryPath", problem.Message, StringComparison.Ordinal);
        Assert.Contains("Git:Remote", problem.Message, StringComparison.Ordinal);
        Assert.Contains("Git:MaxBatchSize", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Remote_urls_are_redacted()
    {
        Assert.Equal("https://***@git.example.com/state.git", RemoteUrl.Redact("https://bot:s3cret@git.example.com/state.git"));
        Assert.Equal(("https://git.example.com/state.git", "bot", "s3cret"), RemoteUrl.Split("https://bot:s3cret@git.example.com/state.git"));
        Assert.Equal("/srv/git/state.git", RemoteUrl.LocalPath("file:///srv/git/state.git"));
    }
}
