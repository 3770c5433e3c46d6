using System.Net;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>axe-core run in the page on every page of the UI, at a phone's width and a desktop's: no serious or critical violation.</summary>
[Collection(OneBrowser.Name)]
public sealed class UiAccessibilityTests(Browser browser, UiWorld world) : IClassFixture<UiWorld>
{
    private static readonly string[] Blocking = ["serious", "critical"];

    [Theory]
    [InlineData(360, 780)]
    [InlineData(1440, 900)]
    public async Task Every_page_has_no_serious_or_critical_axe_violation(int width, int height)
    {
        var (environment, request) = ($"a11y-{width}", await ProposeProdAsync($"prod-a11y-{width}"));
        await world.Admin.SendJsonAsync(HttpMethod.Post, "/api/v1/environments", new
        {
            environment_name = environment,
            environment_type = "sue",
            environment_pool = UiWorld.Tenant,
            services = new Dictionary<string, string> { ["user-service"] = "*" },
        }).ExpectAsync(HttpStatusCode.Created);
        await world.Admin.PostAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/scale", System.Net.Http.Json.JsonContent.Create(new { replicas = width == 360 ? 2 : 3 }));
        var history = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/history").ExpectAsync(HttpStatusCode.OK);
        var first = history.GetProperty("items").EnumerateArray().Last().GetProperty("revision").GetString();

        var anonymous = await (await world.NewContextAsync(browser, width, height)).NewPageAsync();
        await anonymous.GotoAsync("/login");
        var violations = await ViolationsAsync(anonymous, "/login");
        await anonymous.Context.CloseAsync();

        var page = await world.SignInAsync(browser, "acme-admin", width, height);
        var instance = $"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}";
        foreach (var path in new[]
        {
            $"/tenants/{UiWorld.Tenant}/instances", instance, $"{instance}/edit", $"{instance}/history", $"{instance}/rollback?revision={first}",
            $"{instance}/credentials", $"/tenants/{UiWorld.Tenant}/catalog", $"/tenants/{UiWorld.Tenant}/catalog/qdrant/new", "/me",
            "/environments", "/environments/new", $"/tenants/{UiWorld.Tenant}/api-keys", $"/environments/{environment}", "/change-requests", $"/change-requests/{request}",
            "/tenants", $"/tenants/{UiWorld.Tenant}/settings", $"/tenants/{UiWorld.Tenant}/members", $"/tenants/{UiWorld.Tenant}/sealing-key", "/clusters", "/clusters/flux-acme",
            "/users",
        })
        {
            await page.GotoAsync(path);
            await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
            violations.AddRange(await ViolationsAsync(page, path));
        }

        // A form with the server's errors beside its fields.
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/catalog/qdrant/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Not A Name");
        await page.GetByLabel("replicaCount").FillAsync("lots");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create qdrant instance" }).ClickAsync();
        await Expect(page.GetByLabel("replicaCount")).ToHaveAttributeAsync("aria-invalid", "true");
        violations.AddRange(await ViolationsAsync(page, "the create form with errors"));
        await page.Context.CloseAsync();

        // The users page as a platform administrator sees it: the create form (with the server's errors) and a delete opened.
        page = await world.SignInAsync(browser, "admin", width, height);
        await page.GotoAsync("/users");
        await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
        violations.AddRange(await ViolationsAsync(page, "/users as a platform administrator"));
        await page.GetByLabel("Username").FillAsync("Not A Name");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(page.GetByLabel("Username")).ToHaveAttributeAsync("aria-invalid", "true");
        violations.AddRange(await ViolationsAsync(page, "the users form with errors"));
        await page.Context.CloseAsync();

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    private static async Task<List<string>> ViolationsAsync(IPage page, string where)
    {
        var result = await page.RunAxe();
        return [.. result.Violations.Where(v => Blocking.Contains(v.Impact)).Select(v =>
            $"{where}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(" | ", v.Nodes.Take(3).Select(n => $"{JsonSerializer.Serialize(n.Target)} {string.Join("; ", n.Any.Select(c => c.Message))}"))}")];
    }

    private async Task<string> ProposeProdAsync(string name)
    {
        var proposed = await world.Admin.SendJsonAsync(HttpMethod.Post, "/api/v1/environments", new
        {
            environment_name = name,
            environment_type = "prod",
            environment_pool = UiWorld.Tenant,
            services = new Dictionary<string, string> { ["auth-service"] = "^2.1.0" },
        }).ExpectAsync(HttpStatusCode.Accepted);
        return proposed.GetProperty("id").GetString()!;
    }
}
