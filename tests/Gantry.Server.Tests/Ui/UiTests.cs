using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>The web UI in headless chromium against Gantry on a loopback port: located by role and label, as people use it.</summary>
[Collection(OneBrowser.Name)]
public sealed partial class UiTests(Browser browser, UiWorld world) : IClassFixture<UiWorld>
{
    [Fact]
    public async Task Sign_in_shows_who_I_am_and_sign_out_ends_the_session()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await Expect(page).ToHaveURLAsync(new Regex("/tenants/acme/instances$"));

        await page.GetByRole(AriaRole.Link, new() { Name = "acme-admin" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Who am I" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "acme admin" })).ToBeVisibleAsync();

        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "gantry_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        // The session is revoked on the server too: the old cookie, sent again, signs nobody in.
        var replay = world.Factory.CreateClient();
        replay.DefaultRequestHeaders.Add("Cookie", $"gantry_session={session.Value}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/v1/auth/me")).StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Sign_out_without_the_pages_antiforgery_token_is_refused_and_the_session_lives_on()
    {
        var page = await world.SignInAsync(browser, "acme-viewer");
        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "gantry_session");

        // What a form on another site would send if the browser attached the cookie: the session, no token.
        var forged = world.Factory.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri(world.BaseUrl) });
        forged.DefaultRequestHeaders.Add("Cookie", $"gantry_session={session.Value}");
        var refused = await forged.PostAsync("/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("antiforgery", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await forged.GetAsync("/api/v1/auth/me")).StatusCode);

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_refused_in_words()
    {
        var context = await world.NewContextAsync(browser);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync("acme-viewer");
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The username or password is wrong.");
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_of_one_tenant_sees_neither_the_other_in_the_switcher_nor_its_pages_by_url()
    {
        var page = await world.SignInAsync(browser, "acme-viewer");
        var switcher = page.GetByLabel("Tenant");
        await Expect(switcher).ToHaveValueAsync(UiWorld.Tenant);
        await Expect(switcher.GetByRole(AriaRole.Option)).ToHaveTextAsync([UiWorld.Tenant]);

        // A viewer sees the instance but no control that changes it.
        await page.GetByRole(AriaRole.Link, new() { Name = UiWorld.Instance, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "History" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Scale" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete instance" })).ToHaveCountAsync(0);

        foreach (var path in new[] { $"/tenants/{UiWorld.Other}/instances", $"/tenants/{UiWorld.Other}/instances/{UiWorld.Instance}", $"/?tenant={UiWorld.Other}" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(404, response!.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Main)).Not.ToContainTextAsync("qdrant");
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Scaling_from_the_instance_page_commits_and_the_history_shows_it()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}");
        await page.GetByLabel("Replicas").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scale" }).ClickAsync();

        var done = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Scaled to 3 replicas" });
        await Expect(done).ToBeVisibleAsync();
        var revision = Regex.Match(await done.InnerTextAsync(), "commit ([0-9a-f]{12})").Groups[1].Value;
        await Expect(page.GetByLabel("Replicas")).ToHaveValueAsync("3");
        var newest = page.GetByRole(AriaRole.Region, new() { Name = "History" }).GetByRole(AriaRole.Listitem).First;
        await Expect(newest).ToContainTextAsync(revision);
        await Expect(newest).ToContainTextAsync("by acme-admin");

        // The list's last change names who made it.
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = UiWorld.Instance, Exact = true }) });
        await Expect(row.GetByRole(AriaRole.Cell).Last).ToContainTextAsync("by acme-admin");

        // The same commit the API reports, with the same audit record as POST .../scale.
        var instance = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}").ExpectAsync(HttpStatusCode.OK);
        Assert.StartsWith(revision, instance.GetProperty("revision").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, instance.GetProperty("values").GetProperty("replicaCount").GetInt32());
        var audit = await world.Admin.GetAsync($"/api/v1/audit?tenant={UiWorld.Tenant}&action=instance.scale").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("detail").GetString()!.StartsWith("replicas 3", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_refused_scale_shows_the_servers_words_beside_the_field()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}");
        var replicas = page.GetByLabel("Replicas");
        await replicas.FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scale" }).ClickAsync();

        await Expect(replicas).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(replicas).ToHaveAccessibleDescriptionAsync(new Regex("above the tenant's quota of 5 replicas"));

        // The offering's schema says at least 1: its words, as the API would send them in errors.
        await replicas.FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Scale" }).ClickAsync();
        await Expect(replicas).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(replicas).Not.ToHaveAccessibleDescriptionAsync(new Regex("quota"));
        await Expect(replicas).ToHaveAccessibleDescriptionAsync(new Regex("1"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_phase_badge_turns_ready_when_an_engine_event_arrives()
    {
        const string name = "live-db";
        var created = await world.Admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{UiWorld.Tenant}/instances/{name}", new { offering = "qdrant" })
            .ExpectAsync(HttpStatusCode.Created);
        var generation = created.GetProperty("status").GetProperty("generation").GetInt64();
        var page = await world.SignInAsync(browser, "acme-viewer");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }) });
        await Expect(row).ToContainTextAsync("Committed");
        await Expect(row).ToContainTextAsync("by admin");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live updates: on");

        (await world.PostFluxAsync(name, generation, "InstallSucceeded", "Helm install succeeded")).EnsureSuccessStatusCode();
        await Expect(row).ToContainTextAsync("Ready");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Ready");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Status" })).ToContainTextAsync("Helm install succeeded");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Status" })).ToContainTextAsync("by admin"); // the engine's report changed no author
        await page.Context.CloseAsync();
    }
}
