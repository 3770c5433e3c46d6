using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>History with a diff between any two revisions, rollback after confirming, and credentials rotated and shown once.</summary>
public sealed partial class UiTests
{
    [Fact]
    public async Task A_diff_between_two_revisions_and_a_confirmed_rollback_commit_the_old_values_again()
    {
        const string name = "hist";
        var first = await world.Admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{UiWorld.Tenant}/instances/{name}",
            new { offering = "qdrant", values = new { replicaCount = 1 } }).ExpectAsync(HttpStatusCode.Created);
        var second = await world.Admin.SendJsonAsync(HttpMethod.Post, $"/api/v1/tenants/{UiWorld.Tenant}/instances/{name}/scale", new { replicas = 2 })
            .ExpectAsync(HttpStatusCode.OK);
        var (r1, r2) = (first.GetProperty("revision").GetString()!, second.GetProperty("revision").GetString()!);

        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{name}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Compare revisions and roll back" }).ClickAsync();

        // By default the newest change: from the previous revision to the current one.
        var compare = page.GetByRole(AriaRole.Region, new() { Name = "Compare two revisions" });
        await Expect(page.GetByLabel("From", new() { Exact = true })).ToHaveValueAsync(r1);
        await Expect(page.GetByLabel("To", new() { Exact = true })).ToHaveValueAsync(r2);
        await Expect(compare).ToContainTextAsync(new Regex(@"-\s*replicaCount: 1"));
        await Expect(compare).ToContainTextAsync(new Regex(@"\+\s*replicaCount: 2"));
        var patch = await compare.GetByLabel(new Regex("^Changes to .*instances/hist.yaml$")).TextContentAsync();
        Assert.Matches(new Regex(@"(?m)^-\s*replicaCount: 1$"), patch);
        Assert.Matches(new Regex(@"(?m)^\+\s*replicaCount: 2$"), patch);

        await page.GetByLabel("From", new() { Exact = true }).SelectOptionAsync(r2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show changes" }).ClickAsync();
        await Expect(compare).ToContainTextAsync("No differences");

        // A revision that is not one names the field, in the API's words.
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{name}/history?from=zzz&to={r2}");
        await Expect(page.GetByLabel("From", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new Regex("must be a revision: 7 to 40 hexadecimal characters"));

        await page.GetByRole(AriaRole.Link, new() { Name = $"Roll back to {r1[..12]}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Roll back {name} to {r1[..12]}?");
        var changes = page.GetByRole(AriaRole.Region, new() { Name = "What the rollback changes" });
        await Expect(changes).ToContainTextAsync(new Regex(@"-\s*replicaCount: 2"));
        await Expect(changes).ToContainTextAsync(new Regex(@"\+\s*replicaCount: 1"));
        Assert.Equal(r2, (await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{name}").ExpectAsync(HttpStatusCode.OK)).GetProperty("revision").GetString());

        await page.GetByRole(AriaRole.Button, new() { Name = $"Roll back to {r1[..12]}" }).ClickAsync();
        var done = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rolled back to" });
        await Expect(done).ToBeVisibleAsync();
        var r3 = Regex.Match(await done.InnerTextAsync(), "in commit ([0-9a-f]{12})").Groups[1].Value;
        var instance = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{name}").ExpectAsync(HttpStatusCode.OK);
        Assert.StartsWith(r3, instance.GetProperty("revision").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(r2, instance.GetProperty("revision").GetString());
        Assert.Equal(1, instance.GetProperty("values").GetProperty("replicaCount").GetInt32());
        var audit = await world.Admin.GetAsync($"/api/v1/audit?tenant={UiWorld.Tenant}&action=instance.rollback").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("target").GetString() == name);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Rotating_credentials_shows_the_new_key_once()
    {
        const string name = "keys";
        var created = await world.Admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{UiWorld.Tenant}/instances/{name}", new { offering = "qdrant" })
            .ExpectAsync(HttpStatusCode.Created);
        var old = created.GetProperty("credentials").GetProperty("api-key").GetString()!;

        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{name}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Rotate credentials" }).ClickAsync();
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Rotate credentials" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal("no-store", await response.HeaderValueAsync("cache-control"));

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New credentials, shown once" })).ToBeVisibleAsync();
        var key = await page.GetByLabel("api-key").InputValueAsync();
        Assert.True(key.Length >= 16 && key != old, "a new key is shown");
        var audit = await world.Admin.GetAsync($"/api/v1/audit?tenant={UiWorld.Tenant}&action=instance.credentials.rotate").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("target").GetString() == name);

        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{name}/credentials");
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_may_compare_but_a_rollback_or_rotation_posted_anyway_is_refused_and_commits_nothing()
    {
        var before = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/history").ExpectAsync(HttpStatusCode.OK);
        var revisions = before.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("revision").GetString()!).ToList();

        var page = await world.SignInAsync(browser, "acme-viewer");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Rotate credentials" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Compare revisions" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Commits" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Roll back" })).ToHaveCountAsync(0);
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/rollback?revision={revisions[^1]}");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Roll back" })).ToHaveCountAsync(0);

        var refused = await PostAnywayAsync(page, $"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/rollback", ("_handler", "rollback"), ("Revision", revisions[^1]));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
        refused = await PostAnywayAsync(page, $"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/credentials", ("_handler", "rotate"), ("Rotate", "all"));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");

        var after = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/history").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(revisions[0], after.GetProperty("items")[0].GetProperty("revision").GetString());
        await page.Context.CloseAsync();
    }

    /// <summary>Posts a form the page does not offer, with the page's own antiforgery token, as a crafty user would.</summary>
    private static Task<IResponse> PostAnywayAsync(IPage page, string action, params (string Name, string Value)[] fields) =>
        page.RunAndWaitForResponseAsync(() => page.EvaluateAsync(@"([action, fields]) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            const add = (name, value) => { const input = document.createElement('input'); input.name = name; input.value = value; form.append(input); };
            add('__RequestVerificationToken', document.querySelector('input[name=__RequestVerificationToken]').value);
            for (const [name, value] of fields) add(name, value);
            document.body.append(form);
            form.submit();
        }", new object[] { action, fields.Select(f => new[] { f.Name, f.Value }).ToArray() }), r => r.Request.Method == "POST");
}
