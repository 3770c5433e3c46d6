using System.Net;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Rollouts;

/// <summary>The offering's upgrade policy and instance pins on single changes, over HTTP.</summary>
public sealed class VersionRuleTests(FleetWorld world) : IClassFixture<FleetWorld>
{
    private const string A = FleetWorld.TenantA;

    [Fact]
    public async Task Qdrant_update_that_skips_a_minor_version_is_refused_naming_the_version_to_go_through()
    {
        var op = world.As("a-operator");
        await Put(op, "step", "~1.12.0").ExpectAsync(HttpStatusCode.Created);

        var refused = await Put(op, "step", "~1.14.0").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("upgrade through 1.13 first", Error(refused, "version"), StringComparison.Ordinal);

        var through = await Put(op, "step", "~1.13.0").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("1.13.6", through.GetProperty("chartVersion").GetString());
        var next = await Put(op, "step", "~1.14.0").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("1.14.1", next.GetProperty("chartVersion").GetString());
    }

    [Fact]
    public async Task A_downgrade_needs_force_and_only_a_platform_admin_may_force()
    {
        var op = world.As("a-operator");
        await Put(op, "down", "~1.13.0").ExpectAsync(HttpStatusCode.Created);

        var refused = await Put(op, "down", "~1.12.0").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("does not downgrade", Error(refused, "version"), StringComparison.Ordinal);
        var notAdmin = await Put(op, "down", "~1.12.0", force: true).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("platform administrator", Error(notAdmin, "force"), StringComparison.Ordinal);

        var forced = await Put(world.As("platform-admin"), "down", "~1.12.0", force: true).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("1.12.6", forced.GetProperty("chartVersion").GetString());
    }

    [Fact]
    public async Task A_pinned_instance_keeps_its_version_until_the_pin_is_cleared()
    {
        var op = world.As("a-operator");
        var admin = world.As("a-admin");
        await Put(op, "held", "~1.12.0").ExpectAsync(HttpStatusCode.Created);

        // Operators may not pin; another tenant's admin cannot even see the instance.
        await op.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{A}/instances/held/pin", new { reason = "customer freeze" }).ExpectAsync(HttpStatusCode.Forbidden);
        await world.As("b-admin").SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{A}/instances/held/pin", new { reason = "x" }).ExpectAsync(HttpStatusCode.NotFound);

        var pin = await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{A}/instances/held/pin", new { reason = "customer freeze" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("1.12.6", pin.GetProperty("version").GetString());
        Assert.Equal("a-admin", pin.GetProperty("pinnedBy").GetString());

        var refused = await Put(op, "held", "~1.13.0").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("pinned to 1.12.6 by a-admin (customer freeze)", Error(refused, "version"), StringComparison.Ordinal);

        // Values still change while the version is held.
        await op.SendJsonAsync(HttpMethod.Patch, $"/api/v1/tenants/{A}/instances/held", new { replicaCount = 2 }).ExpectAsync(HttpStatusCode.OK);

        await admin.DeleteAsync($"/api/v1/tenants/{A}/instances/held/pin").ExpectAsync(HttpStatusCode.NoContent);
        await admin.GetAsync($"/api/v1/tenants/{A}/instances/held/pin").ExpectAsync(HttpStatusCode.NotFound);
        await Put(op, "held", "~1.13.0").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_expired_pin_is_lifted_and_audited()
    {
        var admin = world.As("a-admin");
        await Put(admin, "brief", "~1.12.0").ExpectAsync(HttpStatusCode.Created);
        await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{A}/instances/brief/pin",
            new { reason = "until the weekend", until = world.Time.GetUtcNow().AddHours(1) }).ExpectAsync(HttpStatusCode.OK);

        world.Time.Advance(TimeSpan.FromHours(2));

        await admin.GetAsync($"/api/v1/tenants/{A}/instances/brief/pin").ExpectAsync(HttpStatusCode.NotFound);
        await Put(admin, "brief", "~1.13.0").ExpectAsync(HttpStatusCode.OK);
        var audit = await world.As("platform-admin").GetAsync($"/api/v1/audit?tenant={A}&action=instance.pin.*").ExpectAsync(HttpStatusCode.OK);
        var actions = audit.EnumerateArray().Where(e => e.GetProperty("target").GetString() == "brief")
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("instance.pin.expire", actions);
        Assert.Contains("instance.pin.set", actions);
    }

    [Fact]
    public async Task A_pin_is_checked_before_it_is_set()
    {
        var admin = world.As("a-admin");
        await Put(admin, "checked", "~1.12.0").ExpectAsync(HttpStatusCode.Created);

        var refused = await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{A}/instances/checked/pin",
            new { version = "1.13.6", reason = "", until = world.Time.GetUtcNow().AddHours(-1) }).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("runs chart 1.12.6", Error(refused, "version"), StringComparison.Ordinal);
        Assert.Contains("required", Error(refused, "reason"), StringComparison.Ordinal);
        Assert.Contains("future", Error(refused, "until"), StringComparison.Ordinal);
        await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{A}/instances/missing/pin", new { reason = "x" }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_rollout_skips_the_instances_the_step_rule_refuses_and_moves_the_others()
    {
        var admin = world.As("platform-admin");
        await Put(admin, "fleet-old", "~1.12.0").ExpectAsync(HttpStatusCode.Created);
        await Put(admin, "fleet-new", "~1.13.0").ExpectAsync(HttpStatusCode.Created);
        var request = new
        {
            offering = "qdrant",
            selector = new { tenants = new[] { A }, instances = new[] { "fleet-old", "fleet-new" } },
            change = new { version = "~1.14.0" },
            strategy = new { gate = new { phase = "Committed" } },
        };

        var preview = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", request).ExpectAsync(HttpStatusCode.OK);
        var skipped = Assert.Single(preview.GetProperty("skipped").EnumerateArray());
        Assert.Equal("fleet-old", skipped.GetProperty("name").GetString());
        Assert.Contains("upgrade through 1.13 first", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var change = Assert.Single(preview.GetProperty("changes").EnumerateArray());
        Assert.Equal(("fleet-new", "1.13.6", "1.14.1"),
            (change.GetProperty("name").GetString(), change.GetProperty("fromVersion").GetString(), change.GetProperty("toVersion").GetString()));

        // A downgrade in a rollout needs force, and only a platform admin may give it.
        var down = new { offering = "qdrant", selector = new { tenants = new[] { A }, instances = new[] { "fleet-new" } }, change = new { version = "~1.12.0" }, force = true };
        await world.As("a-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", down).ExpectAsync(HttpStatusCode.BadRequest);
        var forced = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", down).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("1.12.6", Assert.Single(forced.GetProperty("changes").EnumerateArray()).GetProperty("toVersion").GetString());
    }

    [Fact]
    public async Task The_fleet_counts_by_chart_version_and_phase_with_pins_for_a_tenant_or_the_platform()
    {
        var b = world.As("b-admin");
        foreach (var (name, version) in new[] { ("c1", "~1.12.0"), ("c2", "~1.12.0"), ("c3", "~1.13.0") })
        {
            await b.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{FleetWorld.TenantB}/instances/{name}", new { offering = "qdrant", version }).ExpectAsync(HttpStatusCode.Created);
        }

        await b.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{FleetWorld.TenantB}/instances/c1/pin", new { reason = "hold" }).ExpectAsync(HttpStatusCode.OK);

        var fleet = await b.GetAsync($"/api/v1/offerings/qdrant/fleet?tenant={FleetWorld.TenantB}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, fleet.GetProperty("total").GetInt64());
        Assert.Equal(2, fleet.GetProperty("byChartVersion").GetProperty("1.12.6").GetInt64());
        Assert.Equal(1, fleet.GetProperty("byChartVersion").GetProperty("1.13.6").GetInt64());
        Assert.Equal(3, fleet.GetProperty("byPhase").GetProperty("Committed").GetInt64());
        Assert.Equal(1, fleet.GetProperty("pinned").GetInt64());
        Assert.Equal(0, fleet.GetProperty("outOfPolicy").GetInt64());

        await b.GetAsync("/api/v1/offerings/qdrant/fleet").ExpectAsync(HttpStatusCode.Forbidden);
        await world.As("a-admin").GetAsync($"/api/v1/offerings/qdrant/fleet?tenant={FleetWorld.TenantB}").ExpectAsync(HttpStatusCode.NotFound);
        await b.GetAsync($"/api/v1/offerings/nothing/fleet?tenant={FleetWorld.TenantB}").ExpectAsync(HttpStatusCode.NotFound);
        var all = await world.As("platform-admin").GetAsync("/api/v1/offerings/qdrant/fleet").ExpectAsync(HttpStatusCode.OK);
        Assert.True(all.GetProperty("total").GetInt64() >= 3);
    }

    [Fact]
    public async Task Waves_start_only_inside_the_schedule_window()
    {
        var admin = world.As("platform-admin");
        await Put(admin, "windowed", "~1.13.0").ExpectAsync(HttpStatusCode.Created);
        var now = world.Time.GetUtcNow();
        string At(TimeSpan offset) => (now + offset).UtcDateTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var request = new
        {
            offering = "qdrant",
            selector = new { tenants = new[] { A }, instances = new[] { "windowed" } },
            change = new { values = new { replicaCount = 2 } },
            strategy = new { gate = new { phase = "Committed" }, window = new { start = At(TimeSpan.FromHours(1)), end = At(TimeSpan.FromHours(2)) } },
        };
        var id = (await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts", request).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var waiting = await WaitForAsync(id, r => r.TryGetProperty("reason", out var reason) && reason.GetString()!.Contains("waits for the window", StringComparison.Ordinal));
        Assert.Equal("Running", waiting.GetProperty("state").GetString());
        Assert.False((await admin.GetAsync($"/api/v1/tenants/{A}/instances/windowed").ExpectAsync(HttpStatusCode.OK)).GetProperty("values").TryGetProperty("replicaCount", out _));

        world.Time.Advance(TimeSpan.FromMinutes(61));
        await WaitForAsync(id, r => r.GetProperty("state").GetString() == "Completed");
        Assert.Equal(2, (await admin.GetAsync($"/api/v1/tenants/{A}/instances/windowed").ExpectAsync(HttpStatusCode.OK)).GetProperty("values").GetProperty("replicaCount").GetInt32());

        var bad = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", request with { strategy = new { gate = new { phase = "Committed" }, window = new { start = "25:00", end = "6pm" } } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("strategy.window.start", out _));
        Assert.True(bad.GetProperty("errors").TryGetProperty("strategy.window.end", out _));
    }

    /// <summary>Polls the rollout, moving the test clock on so the runner's timer ticks, until <paramref name="done"/> holds.</summary>
    private async Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> done)
    {
        for (var attempt = 0; ; attempt++)
        {
            world.Time.Advance(TimeSpan.FromSeconds(2));
            await Task.Delay(100);
            var rollout = await world.As("platform-admin").GetAsync($"/api/v1/rollouts/{id}").ExpectAsync(HttpStatusCode.OK);
            if (done(rollout))
            {
                return rollout;
            }

            Assert.True(attempt < 100, $"rollout {id} did not get there: {rollout}");
        }
    }

    private static Task<HttpResponseMessage> Put(HttpClient client, string name, string version, bool force = false) =>
        client.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{A}/instances/{name}", new { offering = "qdrant", version, force });

    private static string Error(JsonElement problem, string field) =>
        string.Join(" ", problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
}
