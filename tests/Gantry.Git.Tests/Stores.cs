using System.Text;
using Gantry.Core.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gantry.Git.Tests;

/// <summary>Builds started stores and changes for the tests.</summary>
internal static class Stores
{
    public static readonly ChangeAuthor Alice = new("Alice Example", "alice@example.com");

    public static async Task<GitStateStore> StartAsync(GitOptions options, GitMetrics? metrics = null, IRemoteWriteLease? lease = null)
    {
        var store = new GitStateStore(Options.Create(options), TimeProvider.System, NullLogger<GitStateStore>.Instance, metrics, lease);
        try
        {
            await store.StartAsync();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public static Task<GitStateStore> StartLocalAsync(string repository, GitCommitMode mode = GitCommitMode.PerChange) =>
        StartAsync(new GitOptions { RepositoryPath = repository, CommitMode = mode, SyncToDisk = false });

    public static Change Put(string path, string content, string? baseRevision = null, string? changeId = null) => new()
    {
        Puts = new Dictionary<string, ReadOnlyMemory<byte>> { [path] = Encoding.UTF8.GetBytes(content) },
        Author = Alice,
        Message = $"Put {path}",
        ChangeId = changeId ?? Guid.NewGuid().ToString("N"),
        Tenant = "acme",
        Claim = "qdrant/main",
        BaseRevision = baseRevision,
    };

    public static string Text(byte[]? content) => content is null ? "<none>" : Encoding.UTF8.GetString(content);
}
