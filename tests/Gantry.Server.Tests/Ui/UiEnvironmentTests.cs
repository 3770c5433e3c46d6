using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>Environments created, extended, refreshed and deleted in the browser; change requests approved by a second admin.</summary>
public sealed partial class UiTests
{
    [Fact]
    public async Task A_sue_environment_created_from_the_claim_fields_counts_down_and_is_extended_refreshed_and_deleted()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Environments" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New environment" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("sue-ui");
        await page.GetByLabel("Type").SelectOptionAsync("sue");
        await page.GetByLabel("Pool").SelectOptionAsync(UiWorld.Tenant);
        await page.GetByLabel("auth-service").FillAsync("^^");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create environment" }).ClickAsync();

        // The server's words beside the service's field, what was typed kept.
        var auth = page.GetByLabel("auth-service");
        await Expect(auth).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(auth).ToHaveValueAsync("^^");
        Assert.False(string.IsNullOrWhiteSpace(await auth.GetAttributeAsync("aria-describedby")));
        await Expect(page.Locator("#service-auth-service-error")).Not.ToBeEmptyAsync();

        await auth.FillAsync("^2.1.0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create environment" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Created environment sue-ui." })).ToBeVisibleAsync();
        var services = page.GetByRole(AriaRole.Region, new() { Name = "Services" });
        await Expect(services.GetByRole(AriaRole.Row, new() { Name = "auth-service" })).ToContainTextAsync(new Regex(@"\^2\.1\.0\s*v2\.\d+\.\d+"));
        var claim = page.GetByRole(AriaRole.Region, new() { Name = "Claim" });
        await Expect(claim).ToContainTextAsync(new Regex("expires in 2[23] h"));
        await Expect(claim).ToContainTextAsync("acme-admin");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Environments" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "sue-ui" }) });
        await Expect(row).ToContainTextAsync("sue");
        await Expect(row.GetByRole(AriaRole.Cell).Filter(new() { HasText = "auth-service" })).ToHaveTextAsync(new Regex(@"^auth-service v2\.\d+\.\d+(, [a-z-]+ \S+)*$"));
        await Expect(row).ToContainTextAsync(new Regex("expires in 2[23] h"));
        await row.GetByRole(AriaRole.Link).ClickAsync();

        var before = (await world.Admin.GetAsync("/api/v1/environments/sue-ui").ExpectAsync(HttpStatusCode.OK)).GetProperty("expiration_date").GetDateTimeOffset();
        await Task.Delay(1100);
        await page.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Extended sue-ui." })).ToBeVisibleAsync();
        var after = (await world.Admin.GetAsync("/api/v1/environments/sue-ui").ExpectAsync(HttpStatusCode.OK)).GetProperty("expiration_date").GetDateTimeOffset();
        Assert.True(after > before, $"the expiry moved from {before:O} to {after:O}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh versions" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Refreshed the versions of sue-ui." })).ToBeVisibleAsync();

        await page.GetByLabel("Type sue-ui to confirm").FillAsync("sue-ui");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete environment" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Deleted environment sue-ui.");
        await world.Admin.GetAsync("/api/v1/environments/sue-ui").ExpectAsync(HttpStatusCode.NotFound);
        var audit = await world.Admin.GetAsync($"/api/v1/audit?tenant={UiWorld.Tenant}&action=environment.extend").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("target").GetString() == "sue-ui");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_prod_environment_becomes_a_change_request_that_only_a_second_admin_approves()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GotoAsync("/environments/new");
        await page.GetByLabel("Name").FillAsync("prod-ui");
        await page.GetByLabel("Type").SelectOptionAsync("prod");
        await page.GetByLabel("Pool").SelectOptionAsync(UiWorld.Tenant);
        await page.GetByLabel("auth-service").FillAsync("^2.1.0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create environment" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("waits here for another administrator of acme");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Create environment prod-ui");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Proposed change" })).ToContainTextAsync(new Regex(@"\+\s*""environment_type"": ""prod"""));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Decision" })).ToContainTextAsync("another administrator of acme must approve");
        var url = page.Url;
        await world.Admin.GetAsync("/api/v1/environments/prod-ui").ExpectAsync(HttpStatusCode.NotFound);

        // The requester posting an approval anyway is refused in the service's words.
        var id = new Uri(url).AbsolutePath.Split('/')[^1];
        var refused = await PostAnywayAsync(page, $"/change-requests/{id}", ("_handler", "decide"), ("Decision.Verdict", "approve"));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("approved by someone other than its requester");
        await page.Context.CloseAsync();

        var second = await world.SignInAsync(browser, "acme-admin2");
        await second.GetByRole(AriaRole.Link, new() { Name = "Change requests" }).ClickAsync();
        await second.GetByRole(AriaRole.Link, new() { Name = "create environment prod-ui" }).ClickAsync();
        await second.GetByLabel("Comment (optional)").FillAsync("looks right");
        await second.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(second.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("applied");
        await Expect(second.GetByRole(AriaRole.Region, new() { Name = "Request" })).ToContainTextAsync("acme-admin2");

        var environment = await world.Admin.GetAsync("/api/v1/environments/prod-ui").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("git", environment.GetProperty("deployment_method").GetString());
        await second.GotoAsync("/environments/prod-ui");
        await Expect(second.GetByRole(AriaRole.Button, new() { Name = "Extend" })).ToHaveCountAsync(0);
        await Expect(second.GetByRole(AriaRole.Region, new() { Name = "Changes" })).ToContainTextAsync("static environment");
        await second.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_sees_environments_without_controls_and_a_create_posted_anyway_is_refused()
    {
        await world.Admin.SendJsonAsync(HttpMethod.Post, "/api/v1/environments", new
        {
            environment_name = "dev-seen",
            environment_type = "dev",
            environment_pool = UiWorld.Tenant,
            services = new Dictionary<string, string> { ["auth-service"] = "*" },
        }).ExpectAsync(HttpStatusCode.Created);
        var page = await world.SignInAsync(browser, "acme-viewer");
        await page.GotoAsync("/environments");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "New environment" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "dev-seen" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Services" })).ToContainTextAsync("auth-service");
        await Expect(page.GetByRole(AriaRole.Button)).ToHaveTextAsync(["Switch", "Sign out"]);

        await page.GotoAsync("/environments/new");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create environment" })).ToHaveCountAsync(0);
        var refused = await PostAnywayAsync(page, "/environments/new", ("_handler", "environment"), ("environment_name", "dev-sneaky"),
            ("environment_type", "dev"), ("environment_pool", UiWorld.Tenant), ("services.auth-service", "*"));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
        refused = await PostAnywayAsync(page, "/environments/dev-seen", ("_handler", "delete"), ("Confirm", "dev-seen"));
        Assert.Equal(403, refused.Status);
        await world.Admin.GetAsync("/api/v1/environments/dev-seen").ExpectAsync(HttpStatusCode.OK);
        await world.Admin.GetAsync("/api/v1/environments/dev-sneaky").ExpectAsync(HttpStatusCode.NotFound);
        await page.Context.CloseAsync();
    }
}
