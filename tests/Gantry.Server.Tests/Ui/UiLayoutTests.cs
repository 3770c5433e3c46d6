using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>The pages at a phone's width and a desktop's, with the screenshots docs/ui.md shows.</summary>
[Collection(OneBrowser.Name)]
public sealed class UiLayoutTests(Browser browser, UiWorld world) : IClassFixture<UiWorld>
{
    /// <summary>Where screenshots go: <c>GANTRY_UI_SCREENSHOTS</c> (docs/images to refresh the docs), else the test output.</summary>
    private static readonly string ScreenshotFolder = Environment.GetEnvironmentVariable("GANTRY_UI_SCREENSHOTS")
        ?? Path.Combine(AppContext.BaseDirectory, "ui-screenshots");

    [Theory]
    [InlineData(360, 780)]
    [InlineData(1440, 900)]
    public async Task The_instance_pages_fit_the_width_without_horizontal_scrolling(int width, int height)
    {
        (await world.PostFluxAsync(UiWorld.Instance, 1, "InstallSucceeded", "Helm install succeeded for release acme/db")).EnsureSuccessStatusCode();
        // A second revision, so the history page shows a diff.
        await world.Admin.PostAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/scale", JsonContent.Create(new { replicas = width == 360 ? 2 : 3 }));
        var page = await world.SignInAsync(browser, "acme-admin", width, height);
        foreach (var (path, shot) in new[]
        {
            ($"/tenants/{UiWorld.Tenant}/instances", "instances"),
            ($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}", "instance"),
            ($"/tenants/{UiWorld.Tenant}/catalog/qdrant/new", "create"),
            ($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/edit", "edit"),
            ($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/history", "history"),
            ("/environments", "environments"),
            ("/environments/new", "environment-new"),
            ("/change-requests?status=all", "change-requests"),
            ($"/tenants/{UiWorld.Tenant}/api-keys", "api-keys"),
            ("/tenants", "tenants"),
            ($"/tenants/{UiWorld.Tenant}/settings", "tenant"),
            ($"/tenants/{UiWorld.Tenant}/members", "members"),
            ($"/tenants/{UiWorld.Tenant}/sealing-key", "sealing-key"),
            ("/clusters", "clusters"),
            ("/clusters/flux-acme", "cluster"),
        })
        {
            await FitsAsync(page, path, shot, width);
        }

        await page.Context.CloseAsync();

        // The users page as a platform administrator sees it, with every user's controls.
        page = await world.SignInAsync(browser, "admin", width, height);
        await FitsAsync(page, "/users", "users", width);
        await page.Context.CloseAsync();
    }

    // No horizontal scrolling at this width, and the screenshot docs/ui.md shows.
    private static async Task FitsAsync(IPage page, string path, string shot, int width)
    {
        await page.GotoAsync(path);
        if (shot is "instances" or "instance")
        {
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live updates" })).ToHaveTextAsync("Live updates: on");
        }
        else
        {
            // Every group open, so the widest of the generated fields is measured too.
            await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
        }

        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"{path} is {overflow} px wider than a {width} px window");
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, $"ui-{shot}-{width}.png"), FullPage = true });
    }
}
