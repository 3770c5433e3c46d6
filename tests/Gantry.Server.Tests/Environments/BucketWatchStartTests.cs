using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Environments;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Environments;

/// <summary>The bucket watcher's first pass: what was removed from the bucket while Gantry was not watching.</summary>
public sealed class BucketWatchStartTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    [Fact]
    public async Task The_first_pass_tears_down_a_claim_removed_before_it_and_keeps_the_others()
    {
        foreach (var name in new[] { "dev-gone", "dev-stays" })
        {
            await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request(name, "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" }))
                .ExpectAsync(HttpStatusCode.Created);
        }

        File.Delete(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, "dev-gone.json"));
        var acted = await world.Factory.Services.GetRequiredService<EnvironmentBucketWatcher>().ScanAsync(CancellationToken.None);

        Assert.Equal(1, acted);
        await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/dev-gone", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
        await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/dev-stays", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.False(Directory.Exists(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, "dev-gone", "services")));
    }
}
