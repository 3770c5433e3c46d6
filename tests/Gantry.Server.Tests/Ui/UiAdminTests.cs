using System.Net;
using System.Net.Http.Headers;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>Tenant administration in the browser: API keys shown once, revoked at once.</summary>
public sealed partial class UiTests
{
    [Fact]
    public async Task An_api_key_created_in_the_browser_is_shown_once_works_and_stops_when_revoked()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create API key" }).ClickAsync();
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("must be 1 to 100 characters"));

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("ci-deploys");
        await page.GetByLabel("Role").SelectOptionAsync("viewer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create API key" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The new key, shown once" })).ToBeVisibleAsync();
        var key = await page.GetByLabel("ci-deploys").InputValueAsync();

        // The key is the API's: it reads the tenant's instances with the role chosen.
        var client = world.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        await client.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances").ExpectAsync(HttpStatusCode.OK);

        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/api-keys");
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke ci-deploys" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Revoked the API key");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "ci-deploys" })).ToContainTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances")).StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_has_no_api_key_page_and_a_key_posted_anyway_is_refused()
    {
        var page = await world.SignInAsync(browser, "acme-viewer");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "API keys" })).ToHaveCountAsync(0);
        var response = await page.GotoAsync($"/tenants/{UiWorld.Tenant}/api-keys");
        Assert.Equal(403, response!.Status);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create API key" })).ToHaveCountAsync(0);
        var refused = await PostAnywayAsync(page, $"/tenants/{UiWorld.Tenant}/api-keys", ("_handler", "create"), ("NewKey.Name", "sneaky"), ("NewKey.Role", "admin"));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
        var keys = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/api-keys").ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(keys.EnumerateArray(), k => k.GetProperty("name").GetString() == "sneaky");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Another_tenants_pages_answer_not_found_and_a_rollback_posted_there_changes_nothing()
    {
        var before = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Other}/instances/{UiWorld.Instance}/history").ExpectAsync(HttpStatusCode.OK);
        var revision = before.GetProperty("items")[0].GetProperty("revision").GetString()!;
        var page = await world.SignInAsync(browser, "acme-admin");
        var other = $"/tenants/{UiWorld.Other}/instances/{UiWorld.Instance}";
        foreach (var path in new[]
        {
            $"{other}/edit", $"{other}/history", $"{other}/rollback?revision={revision}", $"{other}/credentials",
            $"/tenants/{UiWorld.Other}/catalog/qdrant/new", $"/tenants/{UiWorld.Other}/api-keys", $"/tenants/{UiWorld.Other}/settings",
            $"/tenants/{UiWorld.Other}/members", $"/tenants/{UiWorld.Other}/sealing-key",
        })
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 404, $"{path} answered {response.Status}");
            await Expect(page.GetByRole(AriaRole.Main)).Not.ToContainTextAsync(revision[..12]);
        }

        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances");
        // No form is dispatched for an instance the caller cannot see: the post is refused before any handler runs.
        var refused = await PostAnywayAsync(page, $"{other}/rollback", ("_handler", "rollback"), ("Revision", revision));
        Assert.True(refused.Status is 400 or 404, $"the rollback posted to {UiWorld.Other} answered {refused.Status}");
        var after = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Other}/instances/{UiWorld.Instance}/history").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(revision, after.GetProperty("items")[0].GetProperty("revision").GetString());
        await page.Context.CloseAsync();
    }
}
