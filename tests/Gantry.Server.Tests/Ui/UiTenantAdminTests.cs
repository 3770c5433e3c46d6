using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>Tenants and quotas, members and their roles in the browser: changed by those whose role allows it, refused in the API's words otherwise.</summary>
public sealed partial class UiTests
{
    [Fact]
    public async Task A_platform_admin_creates_a_tenant_with_quotas_and_changes_them()
    {
        var page = await world.SignInAsync(browser, "admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Tenants" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("gamma");
        await page.GetByLabel("Most instances").FillAsync("lots");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Expect(page.GetByLabel("Most instances")).ToHaveAccessibleDescriptionAsync(new Regex("must be a whole number"));

        await page.GetByLabel("Most instances").FillAsync("7");
        await page.GetByLabel("Environment types allowed").FillAsync("dev, sue");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Created tenant gamma");
        var row = page.GetByRole(AriaRole.Row, new() { Name = "gamma" });
        await Expect(row).ToContainTextAsync("7");
        await Expect(row).ToContainTextAsync("dev, sue");

        await row.GetByRole(AriaRole.Link, new() { Name = "gamma" }).ClickAsync();
        await page.GetByLabel("Most replicas per instance").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save quotas" }).ClickAsync();
        await Expect(page.GetByLabel("Most replicas per instance")).ToHaveAccessibleDescriptionAsync(new Regex("must be one or more"));
        await page.GetByLabel("Most replicas per instance").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save quotas" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved the quotas of gamma.");

        var tenant = await world.Admin.GetAsync("/api/v1/tenants/gamma").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(7, tenant.GetProperty("quotas").GetProperty("maxInstances").GetInt32());
        Assert.Equal(2, tenant.GetProperty("quotas").GetProperty("maxReplicasPerInstance").GetInt32());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenant_admin_sees_the_quotas_but_a_change_posted_anyway_is_refused()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Quotas" })).ToContainTextAsync(new Regex(@"Most instances\s*20"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save quotas" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" })).ToHaveCountAsync(0);

        var refused = await PostAnywayAsync(page, $"/tenants/{UiWorld.Tenant}/settings", ("_handler", "update"), ("Edit.MaxInstances", "1000"));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
        refused = await PostAnywayAsync(page, "/tenants", ("_handler", "create"), ("NewTenant.Name", "sneaky"));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");

        var tenant = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(20, tenant.GetProperty("quotas").GetProperty("maxInstances").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await world.Admin.GetAsync("/api/v1/tenants/sneaky")).StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenant_admin_adds_a_member_by_username_changes_the_role_and_removes_them()
    {
        var user = await world.Admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = "acme-newbie", password = UiWorld.Password })
            .ExpectAsync(HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/members");
        await page.GetByLabel("User", new() { Exact = true }).FillAsync("nobody-here");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(page.GetByLabel("User", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new Regex("There is no user named 'nobody-here'"));

        await page.GetByLabel("User", new() { Exact = true }).FillAsync("acme-newbie");
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("viewer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved the member's role.");
        await page.GetByLabel("Role of acme-newbie").SelectOptionAsync("operator");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save role of acme-newbie" }).ClickAsync();
        await Expect(page.GetByLabel("Role of acme-newbie")).ToHaveValueAsync("operator");
        var members = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/members").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(members.EnumerateArray(), m => m.GetProperty("userId").GetString() == id && m.GetProperty("role").GetString() == "operator");

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove acme-newbie" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Removed the member");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "acme-newbie" })).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_sees_the_members_without_controls_and_a_member_posted_anyway_is_refused()
    {
        var page = await world.SignInAsync(browser, "acme-viewer");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/members");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "acme-admin2" })).ToContainTextAsync("admin");
        await Expect(page.GetByRole(AriaRole.Button)).ToHaveTextAsync(["Switch", "Sign out"]);

        var refused = await PostAnywayAsync(page, $"/tenants/{UiWorld.Tenant}/members", ("_handler", "add"), ("NewMember.User", "acme-viewer"), ("NewMember.Role", "admin"));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
        var members = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/members").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(members.EnumerateArray(), m => m.GetProperty("username").GetString() == "acme-viewer" && m.GetProperty("role").GetString() == "viewer");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_switcher_keeps_the_tenant_last_worked_in_on_pages_of_no_tenant()
    {
        var page = await world.SignInAsync(browser, "admin");
        await page.GotoAsync($"/tenants/{UiWorld.Other}/instances");
        foreach (var path in new[] { "/environments", "/me", "/clusters" })
        {
            await page.GotoAsync(path);
            await Expect(page.GetByLabel("Tenant", new() { Exact = true })).ToHaveValueAsync(UiWorld.Other);
            await Expect(page.GetByRole(AriaRole.Option, new() { Name = "Choose…" })).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Instances" })).ToHaveAttributeAsync("href", $"/tenants/{UiWorld.Other}/instances");
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewers_scale_and_delete_posted_anyway_are_refused_in_the_apis_words()
    {
        var page = await world.SignInAsync(browser, "acme-viewer");
        var instance = $"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}";
        await page.GotoAsync(instance);
        var before = await world.Admin.GetAsync($"/api/v1{instance}").ExpectAsync(HttpStatusCode.OK);

        foreach (var fields in new[] { new[] { ("_handler", "scale"), ("Replicas", "4") }, [("_handler", "delete"), ("Confirm", UiWorld.Instance)] })
        {
            var refused = await PostAnywayAsync(page, instance, fields);
            Assert.Equal(403, refused.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Scale" })).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete instance" })).ToHaveCountAsync(0);
        }

        var after = await world.Admin.GetAsync($"/api/v1{instance}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(before.GetProperty("revision").GetString(), after.GetProperty("revision").GetString());
        await page.Context.CloseAsync();
    }
}
