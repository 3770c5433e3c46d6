using System.Net;
using Gantry.Data.Instances;
using Gantry.Server.Rollouts;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing.Engines;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Rollouts;

/// <summary>
/// Rollouts over HTTP against a runner fleet of 300 instances in 30 tenants, gated on the status the loopback engine
/// reports. Each test works on tenants of its own, so they hold in any order.
/// </summary>
public sealed class RolloutApiTests(RunnerFleetWorld world) : IClassFixture<RunnerFleetWorld>
{
    private static readonly string[] Canary = [RunnerFleetWorld.Tenant(0), RunnerFleetWorld.Tenant(1)];

    [Fact]
    public async Task A_rollout_previews_then_goes_in_gated_waves_one_commit_each_skipping_pinned_instances()
    {
        var admin = world.As("platform-admin");
        var tenants = Enumerable.Range(0, 20).Select(RunnerFleetWorld.Tenant).ToArray();
        await world.As("t01-admin").SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{Canary[1]}/instances/r3/pin", new { reason = "customer freeze" })
            .ExpectAsync(HttpStatusCode.OK);
        var request = new
        {
            offering = "runner",
            selector = new { tenants },
            change = new { version = "~2.2.0", values = new { replicas = 2 } },
            strategy = new
            {
                waves = new object[] { new { tenants = Canary }, new { percent = 50 }, new { percent = 100 } },
                gate = new { timeout = "60s", failureThreshold = 0 },
            },
        };
        var commitsBefore = world.CommitSubjects().Count;

        var preview = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", request).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(199, preview.GetProperty("changing").GetInt32());
        Assert.Equal([19, 81, 99], preview.GetProperty("waves").EnumerateArray().Select(w => w.GetProperty("count").GetInt32()));
        var skipped = Assert.Single(preview.GetProperty("skipped").EnumerateArray());
        Assert.Contains("pinned to 2.1.4", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("2.2.0", preview.GetProperty("sample").GetProperty("toVersion").GetString());
        Assert.Equal(2, preview.GetProperty("sample").GetProperty("toValues").GetProperty("replicas").GetInt32());
        var files = preview.GetProperty("sample").GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("patch").GetString()!);
        Assert.Contains(files, f => f.Key.EndsWith("/values.yaml", StringComparison.Ordinal) && f.Value.Contains("-replicas: 1\n+replicas: 2\n", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Key.EndsWith("/helmrelease.yaml", StringComparison.Ordinal) && f.Value.Contains("\n+", StringComparison.Ordinal) && f.Value.Contains("2.2.0", StringComparison.Ordinal));
        Assert.Equal(commitsBefore, world.CommitSubjects().Count); // nothing written

        var started = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts", request).ExpectAsync(HttpStatusCode.Created);
        var id = started.GetProperty("id").GetString()!;
        var done = await world.WaitForAsync(id, r => r.GetProperty("state").GetString() != "Running");

        Assert.Equal("Completed", done.GetProperty("state").GetString());
        Assert.All(done.GetProperty("waves").EnumerateArray(), w => Assert.Equal("Passed", w.GetProperty("state").GetString()));
        Assert.Equal(199, done.GetProperty("instances").EnumerateArray().Count(i => i.GetProperty("state").GetString() == "Ready"));
        Assert.Equal("2.2.0", (await world.InstanceAsync(Canary[0], "r0")).GetProperty("chartVersion").GetString());
        Assert.Equal("2.2.0", (await world.InstanceAsync(tenants[^1], "r9")).GetProperty("chartVersion").GetString());
        Assert.Equal("2.1.4", (await world.InstanceAsync(Canary[1], "r3")).GetProperty("chartVersion").GetString());

        var waveCommits = world.CommitSubjects().Where(s => s.StartsWith($"Rollout {id} wave", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, waveCommits.Count);
        Assert.Contains($"Rollout {id} wave 1/3 (tenants t00, t01): 19 instances of runner", waveCommits);
        Assert.Equal(commitsBefore + 3, world.CommitSubjects().Count);

        // Each wave recorded a write intent per changed instance before its commit and cleared it with the index row.
        var intents = await world.Factory.Services.GetRequiredService<WriteIntentRepository>().ListOlderThanAsync(DateTimeOffset.UtcNow.AddMinutes(1), limit: 1000);
        Assert.DoesNotContain(intents, i => tenants.Contains(i.Tenant));
    }

    [Fact]
    public async Task A_wave_committed_but_never_recorded_is_taken_up_as_committed_not_skipped_as_already_at_the_target()
    {
        var admin = world.As("platform-admin");
        var tenants = Enumerable.Range(26, 2).Select(RunnerFleetWorld.Tenant).ToArray();
        var before = await world.InstanceAsync(tenants[0], "r0");
        var request = new
        {
            offering = "runner",
            selector = new { tenants },
            change = new { version = "~2.2.0" },
            strategy = new { waves = new object[] { new { percent = 100 } }, gate = new { timeout = "60s", failureThreshold = 0 } },
        };
        var started = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts", request).ExpectAsync(HttpStatusCode.Created);
        var id = started.GetProperty("id").GetString()!;
        await world.WaitForAsync(id, r => r.GetProperty("state").GetString() != "Running");

        // The rollout as it was stored before its wave: the wave's commit is in Git, what became of it is not recorded.
        var rollout = (await world.Factory.Services.GetRequiredService<RolloutStore>().FindAsync(id, CancellationToken.None))!;
        var wave = rollout.Waves[0];
        var members = rollout.Instances.Where(i => i.Wave == 0).ToList();
        var recorded = members.ToDictionary(m => (m.Tenant, m.Name), m => (m.Revision, m.FromRevision));
        foreach (var member in members)
        {
            (member.State, member.Revision, member.FromRevision, member.Generation, member.Phase) = (RolloutInstanceStates.Pending, null, null, null, null);
        }

        wave.State = WaveStates.Pending;
        var commits = world.CommitSubjects().Count;
        await world.Factory.Services.GetRequiredService<RolloutWaves>().CommitWaveAsync(rollout, wave, CancellationToken.None);

        Assert.Equal(commits, world.CommitSubjects().Count); // nothing committed twice
        Assert.All(members, m =>
        {
            Assert.Equal(RolloutInstanceStates.Committed, m.State);
            Assert.Equal(recorded[(m.Tenant, m.Name)], (m.Revision, m.FromRevision));
        });
        Assert.Equal(before.GetProperty("revision").GetString(), members.Single(m => m.Tenant == tenants[0] && m.Name == "r0").FromRevision);
    }

    [Fact]
    public async Task An_instance_that_fails_past_the_threshold_pauses_the_rollout_and_rollback_restores_every_changed_instance_in_one_commit()
    {
        var admin = world.As("platform-admin");
        var tenants = Enumerable.Range(20, 6).Select(RunnerFleetWorld.Tenant).ToArray();
        world.Engine.SetOutcome(tenants[2], "r0", EngineOutcome.Failed("upgrade failed: image pull back-off"));
        world.Engine.SetOutcome(tenants[2], "r1", EngineOutcome.Failed("upgrade failed: image pull back-off"));
        var request = new
        {
            offering = "runner",
            selector = new { tenants },
            change = new { version = "~2.2.0" },
            strategy = new { waves = new object[] { new { percent = 50 }, new { percent = 100 } }, gate = new { timeout = "60s", failureThreshold = 1 } },
        };

        var started = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts", request).ExpectAsync(HttpStatusCode.Created);
        var id = started.GetProperty("id").GetString()!;
        var paused = await world.WaitForAsync(id, r => r.GetProperty("state").GetString() != "Running");

        Assert.Equal("Paused", paused.GetProperty("state").GetString());
        Assert.Contains("2 instances failed", paused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(["Failed", "Pending"], paused.GetProperty("waves").EnumerateArray().Select(w => w.GetProperty("state").GetString()));
        var failed = paused.GetProperty("instances").EnumerateArray().Where(i => i.GetProperty("state").GetString() == "Failed").ToList();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, f => Assert.Contains("image pull back-off", f.GetProperty("reason").GetString(), StringComparison.Ordinal));
        Assert.Equal("2.1.4", (await world.InstanceAsync(tenants[^1], "r9")).GetProperty("chartVersion").GetString()); // wave 2 never ran

        await admin.PostAsync($"/api/v1/rollouts/{id}/resume", null).ExpectAsync(HttpStatusCode.OK);
        await admin.PostAsync($"/api/v1/rollouts/{id}/pause", null).ExpectAnyStatusAsync(HttpStatusCode.OK, HttpStatusCode.Conflict);
        world.Engine.SetOutcome(tenants[2], "r0", EngineOutcome.Succeeded);
        world.Engine.SetOutcome(tenants[2], "r1", EngineOutcome.Succeeded);
        var commitsBefore = world.CommitSubjects().Count;
        var rolling = await admin.PostAsync($"/api/v1/rollouts/{id}/rollback", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("RollingBack", rolling.GetProperty("state").GetString());
        var rolledBack = await world.WaitForAsync(id, r => r.GetProperty("state").GetString() == "RolledBack");

        var changed = rolledBack.GetProperty("instances").EnumerateArray().Where(i => i.GetProperty("rolledBack").GetBoolean()).ToList();
        Assert.NotEmpty(changed);
        foreach (var instance in changed)
        {
            var now = await world.InstanceAsync(instance.GetProperty("tenant").GetString()!, instance.GetProperty("name").GetString()!);
            Assert.Equal("2.1.4", now.GetProperty("chartVersion").GetString());
        }

        var rollbackCommits = world.CommitSubjects().Take(world.CommitSubjects().Count - commitsBefore).ToList();
        Assert.Equal([$"Roll back rollout {id}: {changed.Count} instances of runner"],
            rollbackCommits.Where(s => s.StartsWith("Roll", StringComparison.Ordinal)));
        await admin.PostAsync($"/api/v1/rollouts/{id}/rollback", null).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_tenant_admin_rolls_out_their_own_tenant_only_and_an_invalid_result_is_refused_whole()
    {
        var own = world.As("t00-admin");
        var request = new { offering = "runner", change = new { values = new { replicas = 99 } }, strategy = new { gate = new { phase = "Committed" } } };

        var preview = await own.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", request).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(RunnerFleetWorld.PerTenant, preview.GetProperty("invalid").EnumerateObject().Count());
        Assert.All(preview.GetProperty("invalid").EnumerateObject(), e => Assert.StartsWith("t00/", e.Name, StringComparison.Ordinal));

        var refused = await own.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts", request).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains(refused.GetProperty("errors").EnumerateObject(), e => e.Name == "instances.t00/r0: values.replicas");

        await own.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", new { offering = "runner", selector = new { tenants = new[] { "t05" } }, change = new { version = "~2.2.0" } })
            .ExpectAsync(HttpStatusCode.NotFound);
        await world.As("t00-operator").SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", new { offering = "runner", selector = new { tenants = new[] { "t00" } }, change = new { version = "~2.2.0" } })
            .ExpectAsync(HttpStatusCode.Forbidden);

        var bad = await own.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview",
            new { offering = "runner", change = new { }, strategy = new { waves = new object[] { new { percent = 0 } }, gate = new { timeout = "soon" } } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        var fields = bad.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains("change", fields);
        Assert.Contains("strategy.waves[0].percent", fields);
        Assert.Contains("strategy.gate.timeout", fields);

        // Another tenant's admin does not see this tenant's rollouts; a platform admin's are not theirs either.
        var mine = await own.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts",
            new { offering = "runner", selector = new { instances = new[] { "r0" } }, change = new { values = new { replicas = 3 } }, strategy = new { gate = new { phase = "Committed" } } })
            .ExpectAsync(HttpStatusCode.Created);
        var id = mine.GetProperty("id").GetString()!;
        Assert.Equal("t00", mine.GetProperty("tenant").GetString());
        await world.As("t01-admin").GetAsync($"/api/v1/rollouts/{id}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await world.As("t01-admin").GetAsync("/api/v1/rollouts").ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray(),
            r => r.GetProperty("id").GetString() == id);
        Assert.Contains((await own.GetAsync("/api/v1/rollouts").ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray(),
            r => r.GetProperty("id").GetString() == id);
        var done = await world.WaitForAsync(id, r => r.GetProperty("state").GetString() == "Completed");
        Assert.Equal(1, done.GetProperty("instances").GetArrayLength());
    }

    [Fact]
    public async Task An_expired_pin_is_lifted_and_reported_and_its_instance_takes_part_again()
    {
        var admin = world.As("platform-admin");
        await admin.SendJsonAsync(HttpMethod.Put, "/api/v1/tenants/t28/instances/r0/pin", new { reason = "brief hold", until = DateTimeOffset.UtcNow.AddSeconds(2) })
            .ExpectAsync(HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var preview = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview",
            new { offering = "runner", selector = new { tenants = new[] { "t28" }, instances = new[] { "r0" } }, change = new { version = "~2.2.0" } })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("r0", Assert.Single(preview.GetProperty("changes").EnumerateArray()).GetProperty("name").GetString());
        Assert.Empty(preview.GetProperty("skipped").EnumerateArray());
        // Lifted by this preview (and reported in it), or a moment before by the minute's sweep: audited either way.
        Assert.All(preview.GetProperty("liftedPins").EnumerateArray(), p => Assert.Contains("expired", p.GetProperty("reason").GetString(), StringComparison.Ordinal));
        var audit = await admin.GetAsync("/api/v1/audit?tenant=t28&action=instance.pin.expire").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("target").GetString() == "r0");
    }

    [Fact]
    public async Task An_aborted_rollout_starts_no_further_wave_and_says_so()
    {
        var admin = world.As("platform-admin");
        var request = new
        {
            offering = "runner",
            selector = new { tenants = new[] { "t26", "t27" } },
            change = new { version = "~2.2.0" },
            strategy = new { waves = new object[] { new { tenants = new[] { "t26" } }, new { percent = 100 } } },
        };
        var id = (await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts", request).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        await admin.PostAsync($"/api/v1/rollouts/{id}/pause", null).ExpectAsync(HttpStatusCode.OK);
        var aborted = await admin.PostAsync($"/api/v1/rollouts/{id}/abort", null).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Aborted", aborted.GetProperty("state").GetString());
        Assert.Contains("aborted by admin", aborted.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("Skipped", aborted.GetProperty("waves")[1].GetProperty("state").GetString());
        await Task.Delay(TimeSpan.FromSeconds(1)); // a few runner rounds: nothing moves any more
        Assert.Equal("2.1.4", (await world.InstanceAsync("t27", "r9")).GetProperty("chartVersion").GetString());
        var problem = await admin.PostAsync($"/api/v1/rollouts/{id}/resume", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("Aborted", problem.GetProperty("state").GetString());
        var audit = await admin.GetAsync($"/api/v1/audit?action=rollout.*&target={id}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["rollout.abort", "rollout.pause", "rollout.start"], audit.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task A_rollout_streams_its_progress_until_it_completes()
    {
        var admin = world.As("platform-admin");
        var request = new { offering = "runner", selector = new { tenants = new[] { "t29" } }, change = new { values = new { replicas = 3 } }, strategy = new { gate = new { phase = "Committed" } } };
        var id = (await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts", request).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        using var response = await admin.GetAsync($"/api/v1/rollouts/{id}/events/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var states = new List<string>();
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                states.Add(System.Text.Json.JsonDocument.Parse(line[6..]).RootElement.GetProperty("rollout").GetProperty("state").GetString()!);
            }
        }

        Assert.Equal("Completed", states[^1]);
        await world.As("t01-admin").GetAsync($"/api/v1/rollouts/{id}/events/stream").ExpectAsync(HttpStatusCode.NotFound);
    }
}

internal static class RolloutAssertions
{
    public static async Task ExpectAnyStatusAsync(this Task<HttpResponseMessage> request, params HttpStatusCode[] statuses)
    {
        var response = await request;
        Assert.Contains(response.StatusCode, statuses);
    }
}
