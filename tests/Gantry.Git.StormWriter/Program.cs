// Usage: Gantry.Git.StormWriter <repository> <writers>
// Writes changes from many concurrent writers into a local repository (no remote, fsync on) and prints
// "ACK <change-id> <path> <revision>" once each is acknowledged. The crash test kills it with SIGKILL.
using System.Text;
using Gantry.Core.State;
using Gantry.Git;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

var repository = args[0];
var writers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var store = new GitStateStore(
    Options.Create(new GitOptions { RepositoryPath = repository, MaxBatchSize = 64 }),
    TimeProvider.System,
    NullLogger<GitStateStore>.Instance);
await store.StartAsync();
var output = Console.Out;
var gate = new object();
await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var i = 0; ; i++)
    {
        var id = $"w{w}-{i}-{Guid.NewGuid():N}";
        var path = $"storm/{w}/{i % 50}.txt";
        var revision = await store.CommitAsync(new Change
        {
            Puts = new Dictionary<string, ReadOnlyMemory<byte>> { [path] = Encoding.UTF8.GetBytes(id) },
            Author = new ChangeAuthor("Storm", "storm@example.com"),
            Message = "storm " + id,
            ChangeId = id,
        });
        lock (gate)
        {
            output.WriteLine($"ACK {id} {path} {revision}");
            output.Flush();
        }
    }
})));
