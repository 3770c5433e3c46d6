using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// Claims in the environments bucket are files anyone with bucket access can write: one that breaks the JSON input
/// rules is refused with its reason, never stops a reindex, and is neither removed nor dropped from the index.
/// </summary>
public sealed class UnreadableClaimTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    public static TheoryData<string, byte[], string> BadClaims => new()
    {
        { "duplicate-key", "{\"environment_name\":\"x\",\n\"environment_name\":\"y\"}"u8.ToArray(), "line 2, byte 1: 'environment_name' is given twice" },
        { "not-utf8", [.. "{\"user\":\""u8, 0xC3, 0x28, .. "\"}"u8], "'user' is not valid UTF-8" },
        { "huge-number", """{"services":{"a":{"version":1}},"n":99999999999999999999999}"""u8.ToArray(), "out of range" },
        { "lone-surrogate", """{"user":"a\ud800"}"""u8.ToArray(), "lone surrogate" },
        { "deep", System.Text.Encoding.UTF8.GetBytes(new string('[', 100) + new string(']', 100)), "deeper than 64 levels" },
        { "truncated", """{"environment_name":"""u8.ToArray(), "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadClaims))]
    public async Task A_bad_claim_in_the_bucket_is_reported_by_reindex_and_kept_with_its_index_row(string label, byte[] content, string reason)
    {
        var name = $"dev-bad-{label}";
        await EnvironmentApiTests.Post(world.As("jane.smith"), EnvironmentApiTests.Request(name, "dev", EnvironmentWorld.PoolB, new JsonObject { ["auth-service"] = "v2.1.0" }))
            .ExpectAsync(HttpStatusCode.Created);
        var file = Path.Combine(world.BucketFolder, EnvironmentWorld.PoolB, $"{name}.json");
        await File.WriteAllBytesAsync(file, content);

        var result = await world.As("platform-admin").PostAsync(new Uri("/api/v1/admin/reindex", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);

        var refused = result.GetProperty("unreadableClaims").EnumerateArray()
            .Single(u => u.GetProperty("location").GetString() == $"{EnvironmentWorld.PoolB}/{name}.json");
        Assert.Contains(reason, refused.GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllBytesAsync(file));
        var index = world.Factory.Services.GetRequiredService<Data.Environments.EnvironmentRepository>();
        Assert.NotNull(await index.FindAsync(name));
    }

    [Fact]
    public async Task Reading_an_environment_whose_claim_is_bad_answers_a_conflict_in_words()
    {
        await EnvironmentApiTests.Post(world.As("jane.smith"), EnvironmentApiTests.Request("dev-bad-read", "dev", EnvironmentWorld.PoolB, new JsonObject { ["auth-service"] = "v2.1.0" }))
            .ExpectAsync(HttpStatusCode.Created);
        await File.WriteAllTextAsync(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolB, "dev-bad-read.json"), """{"user":"a","user":"b"}""");

        // While the copy of the accepted claim beside the manifests is good, the environment is what was accepted.
        var kept = await world.As("jane.smith").GetAsync(new Uri("/api/v1/environments/dev-bad-read", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("dev-bad-read", kept.GetProperty("environment_name").GetString());

        // Without it there is nothing good to answer with.
        await File.WriteAllBytesAsync(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolB, "dev-bad-read", "environment.json"), [0xFF, 0xFE]);
        var answer = await world.As("jane.smith").GetAsync(new Uri("/api/v1/environments/dev-bad-read", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains($"{EnvironmentWorld.PoolB}/dev-bad-read.json, line 1, byte 13: 'user' is given twice", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stray_bad_claim_stops_nothing_and_the_good_ones_are_indexed()
    {
        await EnvironmentApiTests.Post(world.As("jane.smith"), EnvironmentApiTests.Request("dev-good-neighbour", "dev", EnvironmentWorld.PoolB, new JsonObject { ["auth-service"] = "v2.1.0" }))
            .ExpectAsync(HttpStatusCode.Created);
        await File.WriteAllBytesAsync(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolB, "stray.json"), [0xFF, 0xFE, 0x00]);

        var result = await world.As("platform-admin").PostAsync(new Uri("/api/v1/admin/reindex", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);

        Assert.Contains(result.GetProperty("unreadableClaims").EnumerateArray(), u => u.GetProperty("location").GetString() == $"{EnvironmentWorld.PoolB}/stray.json");
        await world.As("jane.smith").GetAsync(new Uri("/api/v1/environments/dev-good-neighbour", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
    }
}
