using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Environments;

/// <summary>Environment names are platform-unique; a taken name tells a stranger nothing about its owner.</summary>
public sealed class EnvironmentNameTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    [Fact]
    public async Task A_name_proposed_by_an_open_change_request_is_reserved_for_its_team_until_approval()
    {
        var proposal = await EnvironmentApiTests.Post(world.As("john.doe"),
            EnvironmentApiTests.Request("prod-reserved", "prod", EnvironmentWorld.PoolA, new JsonObject { ["user-service"] = "^1.0.0" })).ExpectAsync(HttpStatusCode.Accepted);

        // A stranger can neither take the name directly nor propose it too, and is not told whose it is.
        var direct = await EnvironmentApiTests.Post(world.As("jane.smith"),
            EnvironmentApiTests.Request("prod-reserved", "dev", EnvironmentWorld.PoolB, new JsonObject { ["auth-service"] = "*" })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("name is taken", direct.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(EnvironmentWorld.PoolA, direct.GetRawText(), StringComparison.Ordinal);
        await EnvironmentApiTests.Post(world.As("jane.smith"),
            EnvironmentApiTests.Request("prod-reserved", "prod", EnvironmentWorld.PoolB, new JsonObject { ["user-service"] = "^1.0.0" })).ExpectAsync(HttpStatusCode.Conflict);

        var applied = await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{proposal.GetProperty("id").GetString()}/approve")
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("applied", applied.GetProperty("status").GetString());
    }
}
