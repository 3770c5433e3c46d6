using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.State;
using Gantry.Server.Environments;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// Add-ons over HTTP: a stage environment gets its dedicated bundle, and a changed bundle reaches every environment
/// when they are rendered again (the bucket's rewritten, the static ones in one commit).
/// </summary>
public sealed class AddOnApiTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    private static readonly Uri Rerender = new("/api/v1/admin/environments/rerender", UriKind.Relative);

    [Fact]
    public async Task A_stage_environment_gets_its_dedicated_bundle_and_a_changed_bundle_is_rendered_again_once()
    {
        await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request("stage-addons", "stage", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" }))
            .ExpectAsync(HttpStatusCode.Created);
        var kong = Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, "stage-addons", "addons", "kong.yaml");
        var rendered = await File.ReadAllTextAsync(kong);
        Assert.Contains("kind: HelmRelease", rendered, StringComparison.Ordinal);
        // As an older bundle rendered it: another chart version.
        await File.WriteAllTextAsync(kong, rendered.Replace("version: \"2.38.0\"", "version: \"2.30.0\"", StringComparison.Ordinal));

        var first = await world.As("platform-admin").PostAsync(new Uri($"{Rerender}?type=stage", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);
        var second = await world.As("platform-admin").PostAsync(Rerender, null).ExpectAsync(HttpStatusCode.OK);

        Assert.Contains("stage-addons", first.GetProperty("rerendered").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(rendered, await File.ReadAllTextAsync(kong));
        Assert.Empty(second.GetProperty("rerendered").EnumerateArray());
        var audit = await world.As("platform-admin").GetAsync(new Uri("/api/v1/audit?limit=500", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == EnvironmentAuditActions.Rerendered);
    }

    [Fact]
    public async Task Static_environments_are_rendered_again_in_one_commit()
    {
        foreach (var name in new[] { "prod-addons-a", "prod-addons-b" })
        {
            var proposal = await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request(name, "prod", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" }))
                .ExpectAsync(HttpStatusCode.Accepted);
            await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{proposal.GetProperty("id").GetString()}/approve").ExpectAsync(HttpStatusCode.OK);
        }

        var store = world.Factory.Services.GetRequiredService<IStateStore>();
        var paths = new[] { "environments/team1/prod-addons-a/addons/kong.yaml", "environments/team1/prod-addons-b/addons/opal.yaml" };
        var originals = new List<byte[]>();
        foreach (var path in paths)
        {
            originals.Add((await store.ReadFileAsync(path))!);
        }

        await store.CommitAsync(new Change
        {
            Puts = paths.ToDictionary(p => p, p => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes("# an older bundle\n"), StringComparer.Ordinal),
            Author = new ChangeAuthor("test", "test@example.com"),
            Message = "an older bundle",
        });

        var result = await world.As("platform-admin").PostAsync(new Uri($"{Rerender}?type=prod", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);

        var revision = result.GetProperty("revision").GetString()!;
        Assert.Equal(["prod-addons-a", "prod-addons-b"], result.GetProperty("rerendered").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
        for (var i = 0; i < paths.Length; i++)
        {
            Assert.Equal(originals[i], await store.ReadFileAsync(paths[i]));
            Assert.Equal(revision, (await store.GetHistoryAsync(paths[i], 1)).Commits.Single().Revision);
        }
    }

    [Fact]
    public async Task An_unknown_type_is_400_and_only_platform_admins_rerender()
    {
        await world.As("platform-admin").PostAsync(new Uri($"{Rerender}?type=qa", UriKind.Relative), null).ExpectAsync(HttpStatusCode.BadRequest);
        await world.As("a-admin").PostAsync(Rerender, null).ExpectAsync(HttpStatusCode.Forbidden);
    }
}
