using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Gantry.Testing.Replicas;
using Xunit.Abstractions;

namespace Gantry.EndToEnd.Replicas;

/// <summary>
/// SIGTERM to a replica under load, as Kubernetes stops a pod: readiness turns false while requests are still served
/// (<c>Gantry:ShutdownDelay</c>), the requests in flight and the commit queue are finished, the process exits 0, and
/// everything it acknowledged is in the remote.
/// </summary>
[Collection(ReplicaClusterDefinition.Name)]
[Trait("Category", "Replicas")]
public sealed class GracefulShutdownTests(ReplicaCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_turns_readiness_false_first_then_finishes_requests_and_commits_and_exits_0()
    {
        const string tenant = "gs";
        await cluster.CreateTenantAsync(tenant);
        Assert.True((await RunnerApi.PutAsync(cluster.Replicas[0].Http, tenant, "warm", 1)).Acknowledged);
        var victim = cluster.Replicas[1];

        // A load balancer's view: while /readyz says yes, writers send to the victim; once it says no, they stop.
        var notReady = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = victim.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var watcher = Task.Run(async () =>
        {
            while (!notReady.Task.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    using var response = await probe.GetAsync("/readyz");
                    if ((int)response.StatusCode == 503)
                    {
                        notReady.TrySetResult(clock.Elapsed);
                    }
                }
                catch (HttpRequestException)
                {
                    // The listener is closed: readiness was never seen false before it (asserted below).
                    break;
                }

                await Task.Delay(20);
            }
        });

        var answers = new ConcurrentBag<(string Name, WriteResult Result)>();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !notReady.Task.IsCompleted && !watcher.IsCompleted; n++)
            {
                answers.Add(($"w{w}-n{n}", await RunnerApi.PutAsync(victim.Http, tenant, $"w{w}-n{n}", n % 20)));
            }
        })).ToList();

        await Task.Delay(1500);
        var process = victim.Terminate();
        var terminated = clock.Elapsed;
        await Task.WhenAll(writers);
        await watcher;
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(40)))
        {
            await process.WaitForExitAsync(wait.Token);
        }

        var exited = clock.Elapsed;
        Assert.Equal(0, process.ExitCode);
        Assert.True(notReady.Task.IsCompleted, "readiness never turned false");
        Assert.All(answers, a => Assert.True(a.Result.Acknowledged, $"{a.Name}: {a.Result.Status} {a.Result.Problem}"));
        Assert.NotEmpty(answers);

        var remote = RemoteHistory.Read(cluster.RemotePath);
        var missing = remote.MissingOrDoubled(answers.Select(a => (tenant, a.Name, a.Result)));
        Assert.True(missing.Count == 0, string.Join('\n', missing.Take(10)));

        var readinessFalse = await notReady.Task;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SIGTERM at {terminated.TotalSeconds:0.00} s, readiness false at {readinessFalse.TotalSeconds:0.00} s, exit 0 at {exited.TotalSeconds:0.00} s; {answers.Count} writes to it, all acknowledged and in the remote"));
        await victim.RestartAsync();
        Assert.True((await RunnerApi.PutAsync(victim.Http, tenant, "after", 2)).Acknowledged);
    }
}
