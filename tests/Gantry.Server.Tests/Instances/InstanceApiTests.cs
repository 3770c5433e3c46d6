using System.Net;
using System.Text;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Instances;

public sealed class InstanceApiTests(InstanceWorld world) : IClassFixture<InstanceWorld>
{
    private const string Base = $"/api/v1/tenants/{InstanceWorld.Tenant}/instances";

    [Fact]
    public async Task Operator_creates_scales_reads_history_and_rolls_back_with_commits_in_the_remote()
    {
        var client = world.As("operator");

        var created = await client.SendJsonAsync(HttpMethod.Put, $"{Base}/qdrant-main", new { offering = "qdrant", values = new { replicaCount = 1 } })
            .ExpectAsync(HttpStatusCode.Created);
        var first = created.GetProperty("revision").GetString()!;
        Assert.Equal("1.13.6", created.GetProperty("chartVersion").GetString());
        Assert.Equal("qdrant-client1", created.GetProperty("namespace").GetString());

        var scaled = await client.SendJsonAsync(HttpMethod.Post, $"{Base}/qdrant-main/scale", new { replicas = 3 }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, scaled.GetProperty("values").GetProperty("replicaCount").GetInt32());
        var second = scaled.GetProperty("revision").GetString()!;

        // The commits are in the remote, authored by the operator, and the rendered Application says 3.
        Assert.Equal(second, world.Git("rev-parse", "main").Trim());
        Assert.Equal("operator <operator@example.com>", world.Git("log", "-1", "--format=%an <%ae>", second).Trim());
        var application = world.Git("ls-tree", "-r", "--name-only", second).Split('\n').Single(p => p.EndsWith("argocd/applications/qdrant-main.yaml", StringComparison.Ordinal));
        Assert.Contains("replicaCount: 3", world.Git("show", $"{second}:{application}"), StringComparison.Ordinal);

        var history = await client.GetAsync($"{Base}/qdrant-main/history").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([second, first], history.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("revision").GetString()));
        Assert.Equal("operator", history.GetProperty("items")[0].GetProperty("authorName").GetString());

        var diff = await client.GetAsync($"{Base}/qdrant-main/diff?from={first}&to={second}").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(diff.EnumerateArray(), d => d.GetProperty("patch").GetString()!.Contains("+    replicaCount: 3", StringComparison.Ordinal)
            || d.GetProperty("patch").GetString()!.Contains("+  replicaCount: 3", StringComparison.Ordinal));

        var rolledBack = await client.SendJsonAsync(HttpMethod.Post, $"{Base}/qdrant-main/rollback", new { revision = first }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, rolledBack.GetProperty("values").GetProperty("replicaCount").GetInt32());
        var third = rolledBack.GetProperty("revision").GetString()!;
        Assert.Equal(second, world.Git("rev-parse", $"{third}^").Trim());
        Assert.Contains("replicaCount: 1", world.Git("show", $"{third}:{application}"), StringComparison.Ordinal);
        world.Git("fsck", "--strict");
    }

    [Fact]
    public async Task A_dry_run_answers_the_rendered_diff_and_writes_nothing()
    {
        var client = world.As("operator");
        var head = world.Git("rev-parse", "main").Trim();

        var planned = await client.SendJsonAsync(HttpMethod.Put, $"{Base}/dry-run?dryRun=true", new { offering = "qdrant", values = new { replicaCount = 2 } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.True(planned.GetProperty("created").GetBoolean());
        Assert.Equal(1, planned.GetProperty("generation").GetInt64());
        Assert.Contains(planned.GetProperty("files").EnumerateArray(), f => f.GetProperty("change").GetString() == "added"
            && f.GetProperty("patch").GetString()!.Contains("+        replicaCount: 2", StringComparison.Ordinal));
        Assert.Equal(head, world.Git("rev-parse", "main").Trim());
        await client.GetAsync($"{Base}/dry-run").ExpectAsync(HttpStatusCode.NotFound);

        // The same checks as a real change: a refusal is the same refusal.
        await client.SendJsonAsync(HttpMethod.Put, $"{Base}/dry-run?dryRun=true", new { offering = "qdrant", values = new { replicaCount = 99 } })
            .ExpectAsync(HttpStatusCode.BadRequest);

        var revision = (await client.SendJsonAsync(HttpMethod.Put, $"{Base}/dry-run", new { offering = "qdrant", values = new { replicaCount = 2 } })
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("revision").GetString()!;
        var change = await client.SendJsonAsync(HttpMethod.Put, $"{Base}/dry-run?dryRun=true", new { offering = "qdrant", values = new { replicaCount = 3 } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.False(change.GetProperty("created").GetBoolean());
        Assert.Equal(2, change.GetProperty("generation").GetInt64());
        Assert.All(change.GetProperty("files").EnumerateArray(), f => Assert.Equal("modified", f.GetProperty("change").GetString()));
        Assert.Equal(revision, world.Git("rev-parse", "main").Trim());
        var unchanged = await client.SendJsonAsync(HttpMethod.Put, $"{Base}/dry-run?dryRun=true", new { offering = "qdrant", values = new { replicaCount = 2 } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.False(unchanged.GetProperty("changed").GetBoolean());
        Assert.Equal(0, unchanged.GetProperty("files").GetArrayLength());
    }

    [Fact]
    public async Task Diff_answers_json_by_default_and_the_unified_diff_git_prints_when_asked_for_text_x_diff()
    {
        var client = world.As("operator");
        var first = (await client.SendJsonAsync(HttpMethod.Put, $"{Base}/diffed", new { offering = "qdrant", values = new { replicaCount = 1 } })
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("revision").GetString()!;
        var second = (await client.SendJsonAsync(HttpMethod.Post, $"{Base}/diffed/scale", new { replicas = 2 })
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("revision").GetString()!;
        var url = $"{Base}/diffed/diff?from={first}&to={second}";

        var json = await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK);
        var paths = json.EnumerateArray().Select(d => d.GetProperty("path").GetString()!).ToList();
        Assert.NotEmpty(paths);

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/x-diff");
        request.Headers.Accept.ParseAdd("application/json;q=0.5");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/x-diff", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        // The same text git prints for those files, so it applies with git apply or patch -p1.
        Assert.Equal(world.Git(["diff", "--no-color", "--no-renames", first, second, "--", .. paths]), text);
        Assert.StartsWith("diff --git a/", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_and_rollback_take_the_short_revisions_history_shows_and_refuse_unknown_or_malformed_ones_in_words()
    {
        var client = world.As("operator");
        var first = (await client.SendJsonAsync(HttpMethod.Put, $"{Base}/shortrev", new { offering = "qdrant", values = new { replicaCount = 1 } })
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("revision").GetString()!;
        var second = (await client.SendJsonAsync(HttpMethod.Post, $"{Base}/shortrev/scale", new { replicas = 2 })
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("revision").GetString()!;

        // The README's 12 characters, Git's 7, and upper case as some tools print it.
        var diff = await client.GetAsync($"{Base}/shortrev/diff?from={first[..12]}&to={second[..7].ToUpperInvariant()}").ExpectAsync(HttpStatusCode.OK);
        Assert.NotEmpty(diff.EnumerateArray());
        var rolledBack = await client.SendJsonAsync(HttpMethod.Post, $"{Base}/shortrev/rollback", new { revision = first[..7] }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, rolledBack.GetProperty("values").GetProperty("replicaCount").GetInt32());

        // Another instance's change is not one of this instance's, whatever the repository holds.
        var elsewhere = (await client.SendJsonAsync(HttpMethod.Put, $"{Base}/shortrev-other", new { offering = "qdrant" })
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("revision").GetString()!;
        var before = world.Git("rev-parse", "main").Trim();
        var unknown = await client.SendJsonAsync(HttpMethod.Post, $"{Base}/shortrev/rollback", new { revision = elsewhere[..10] }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("is not the start of any of this instance's", unknown.GetProperty("errors").GetProperty("revision")[0].GetString(), StringComparison.Ordinal);

        var malformed = await client.GetAsync($"{Base}/shortrev/diff?from=abc12&to=zzzzzzzz").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("7 to 40 hexadecimal characters", malformed.GetProperty("errors").GetProperty("from")[0].GetString(), StringComparison.Ordinal);
        Assert.True(malformed.GetProperty("errors").TryGetProperty("to", out _));
        var missing = await client.SendJsonAsync(HttpMethod.Post, $"{Base}/shortrev/rollback", new { }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("is required", missing.GetProperty("errors").GetProperty("revision")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, world.Git("rev-parse", "main").Trim());
    }

    [Fact]
    public async Task Viewer_reads_but_cannot_change_and_another_tenant_cannot_see()
    {
        await world.As("operator").SendJsonAsync(HttpMethod.Put, $"{Base}/watched", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);
        var viewer = world.As("viewer");

        await viewer.GetAsync($"{Base}/watched").ExpectAsync(HttpStatusCode.OK);
        await viewer.SendJsonAsync(HttpMethod.Post, $"{Base}/watched/scale", new { replicas = 2 }).ExpectAsync(HttpStatusCode.Forbidden);
        await viewer.SendJsonAsync(HttpMethod.Put, $"{Base}/watched", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Forbidden);
        await viewer.SendJsonAsync(HttpMethod.Delete, $"{Base}/watched").ExpectAsync(HttpStatusCode.Forbidden);

        var other = world.As("other");
        await other.GetAsync($"{Base}/watched").ExpectAsync(HttpStatusCode.NotFound);
        await other.GetAsync(Base).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invalid_requests_name_every_field_and_commit_nothing()
    {
        var before = world.Git("rev-parse", "main").Trim();

        var problem = await world.As("operator").SendJsonAsync(HttpMethod.Put, $"{Base}/Bad_Name", new
        {
            offering = "qdrant",
            version = "^9.0.0",
            values = new { replicaCount = 7, image = new { tag = "3\nimage: evil" }, service = new { type = "LoadBalancer" }, apiKey = "mine" },
        }).ExpectAsync(HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "name", "values.replicaCount", "values.image.tag", "values.service.type", "values.apiKey" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }

        Assert.Contains("quota of 5", errors.GetProperty("values.replicaCount").ToString(), StringComparison.Ordinal);
        Assert.Equal(before, world.Git("rev-parse", "main").Trim());
    }

    [Fact]
    public async Task A_version_outside_the_chart_tags_is_a_422_naming_the_constraint()
    {
        var problem = await world.As("operator").SendJsonAsync(HttpMethod.Put, $"{Base}/too-new", new { offering = "qdrant", version = "^9.0.0" })
            .ExpectAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal("^9.0.0", problem.GetProperty("constraint").GetString());
        Assert.Contains("1.13.6", problem.GetProperty("tags_seen").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_updates_with_the_same_if_match_have_exactly_one_winner()
    {
        var client = world.As("operator");
        var created = await client.SendJsonAsync(HttpMethod.Put, $"{Base}/contended", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);
        var etag = $"\"{created.GetProperty("revision").GetString()}\"";

        var attempts = Enumerable.Range(1, 5).Select(async replicas =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Base}/contended/scale")
            {
                Content = new StringContent($$"""{"replicas": {{replicas}}}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            var response = await world.As("operator").SendAsync(request);
            return (response.StatusCode, response.Headers.ETag?.Tag);
        });
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        var winner = results.Single(r => r.StatusCode == HttpStatusCode.OK).Tag;
        var losers = results.Where(r => r.StatusCode == HttpStatusCode.PreconditionFailed).ToList();
        Assert.Equal(4, losers.Count);

        // Each refusal names the revision to retry against: the winner's.
        Assert.All(losers, r => Assert.Equal(winner, r.Tag));
    }

    [Fact]
    public async Task A_retried_create_with_the_same_idempotency_key_makes_one_change()
    {
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"{Base}/once")
            {
                Content = new StringContent("""{"offering": "qdrant", "values": {"replicaCount": 2}}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", "create-once-1");
            responses.Add(await world.As("operator").SendAsync(request));
        }

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(responses[0].Headers.ETag, responses[1].Headers.ETag);
        // One commit made the instance (a tenant's first instance may add a second one: the Flux index entry).
        Assert.Single(world.Git("log", "--format=%s", "main").Split('\n'), m => m.StartsWith("Create instance client1/once ", StringComparison.Ordinal));

        // The same key for a different request is refused, not silently replayed.
        using var different = new HttpRequestMessage(HttpMethod.Put, $"{Base}/once")
        {
            Content = new StringContent("""{"offering": "qdrant", "values": {"replicaCount": 3}}""", Encoding.UTF8, "application/json"),
        };
        different.Headers.Add("Idempotency-Key", "create-once-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await world.As("operator").SendAsync(different)).StatusCode);
    }

    [Fact]
    public async Task Merge_patch_changes_values_and_delete_removes_every_file_in_one_commit()
    {
        var client = world.As("operator");
        await client.SendJsonAsync(HttpMethod.Put, $"{Base}/runner-a", new
        {
            offering = "runner",
            values = new { organization = "acme", uuid = "0b9f4c1e-7d2a-4c55-9a0e-2f1d3c4b5a69", replicas = 2 },
            secrets = new Dictionary<string, string> { ["registration-token"] = "glrt-test-token" },
        }).ExpectAsync(HttpStatusCode.Created);

        var patched = await client.SendJsonAsync(HttpMethod.Patch, $"{Base}/runner-a", new { replicas = 4, image = new { tag = "2.2.1" } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(4, patched.GetProperty("values").GetProperty("replicas").GetInt32());
        Assert.Equal("acme", patched.GetProperty("values").GetProperty("organization").GetString());

        await client.SendJsonAsync(HttpMethod.Delete, $"{Base}/runner-a").ExpectAsync(HttpStatusCode.NoContent);
        await client.GetAsync($"{Base}/runner-a").ExpectAsync(HttpStatusCode.NotFound);

        var removed = world.Git("show", "--name-status", "--format=%s", "main");
        Assert.StartsWith("Delete instance client1/runner-a", removed, StringComparison.Ordinal);
        Assert.Contains("releases/runner-a/helmrelease.yaml", removed, StringComparison.Ordinal);
        Assert.Contains("releases/runner-a/secrets.yaml", removed, StringComparison.Ordinal);
        Assert.Contains("instances/runner-a.yaml", removed, StringComparison.Ordinal);
        Assert.DoesNotContain("runner-a", world.Git("ls-tree", "-r", "--name-only", "main"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_claim_edited_by_another_writer_is_never_overwritten_blindly()
    {
        var client = world.As("operator");
        await client.SendJsonAsync(HttpMethod.Put, $"{Base}/edited", new { offering = "qdrant", values = new { replicaCount = 1 } })
            .ExpectAsync(HttpStatusCode.Created);

        // Someone edits the claim in Git directly (a reviewed pull request, say) and pushes.
        using var clone = new Gantry.Git.Testing.TempFolder("gantry-clone");
        Gantry.Git.Testing.GitCli.Run(clone.Path, "clone", "--quiet", world.RemoteRepository, "work");
        var work = clone.Combine("work");
        var claim = Gantry.Git.Testing.GitCli.Run(work, "ls-files").Split('\n').Single(p => p.EndsWith("instances/edited.yaml", StringComparison.Ordinal));
        var path = Path.Combine(work, claim);
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("replicaCount: 1", "replicaCount: 2", StringComparison.Ordinal));
        Gantry.Git.Testing.GitCli.Run(work, "commit", "--quiet", "-am", "Hand edit");
        Gantry.Git.Testing.GitCli.Run(work, "push", "--quiet", "origin", "HEAD:main");

        // Gantry's next change to that instance was based on what it saw before: refused, not silently applied.
        await client.SendJsonAsync(HttpMethod.Post, $"{Base}/edited/scale", new { replicas = 3 }).ExpectAsync(HttpStatusCode.Conflict);

        // Asked again, it starts from the edited claim and lands on top of the hand edit.
        await client.SendJsonAsync(HttpMethod.Post, $"{Base}/edited/scale", new { replicas = 3 }).ExpectAsync(HttpStatusCode.OK);
        var log = world.Git("log", "--format=%s", "-2", "main");
        Assert.StartsWith("Update instance client1/edited", log, StringComparison.Ordinal);
        Assert.Contains("Hand edit", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_and_deeply_nested_bodies_are_refused_cleanly()
    {
        var client = world.As("operator");
        var before = world.Git("rev-parse", "main").Trim();

        var huge = new StringContent("{\"offering\":\"qdrant\",\"values\":{\"x\":\"" + new string('a', 10 * 1024 * 1024) + "\"}}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PutAsync($"{Base}/huge", huge)).StatusCode);

        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200);
        var nested = new StringContent("{\"offering\":\"qdrant\",\"values\":" + deep + "}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsync($"{Base}/deep", nested)).StatusCode);

        var bigNumber = new StringContent("{\"offering\":\"qdrant\",\"values\":{\"replicaCount\":1e400}}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsync($"{Base}/big", bigNumber)).StatusCode);

        Assert.Equal(before, world.Git("rev-parse", "main").Trim());
    }
}
