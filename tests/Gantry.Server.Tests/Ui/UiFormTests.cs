using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>Instances created and edited through the form generated from the offering's JSON Schema.</summary>
public sealed partial class UiTests
{
    [Fact]
    public async Task Creating_a_qdrant_instance_from_the_generated_form_commits_it_and_shows_its_key_once()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Catalog" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create a qdrant instance" }).ClickAsync();

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("search");
        await page.GetByLabel("replicaCount").FillAsync("2");
        await Expect(page.GetByLabel("replicaCount")).ToHaveAccessibleDescriptionAsync(new Regex("Number of Qdrant nodes.*from 1 to 9"));
        await page.GetByText("persistence", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "persistence", Exact = true }).GetByLabel("size").FillAsync("20Gi");
        await page.GetByText("image", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "image", Exact = true }).GetByLabel("pullPolicy").SelectOptionAsync("IfNotPresent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create qdrant instance" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Credentials of search, shown once" })).ToBeVisibleAsync();
        var key = await page.GetByLabel("api-key").InputValueAsync();
        Assert.True(key.Length >= 16, $"the generated key '{key}' is too short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy api-key" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Copied" })).ToHaveTextAsync("Copied api-key to the clipboard.");
        Assert.Equal(key, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));

        // Through the API's own path: its values, its audit record, and the key is not shown again.
        var instance = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/search").ExpectAsync(HttpStatusCode.OK);
        var values = instance.GetProperty("values");
        Assert.Equal(2, values.GetProperty("replicaCount").GetInt32());
        Assert.Equal("20Gi", values.GetProperty("persistence").GetProperty("size").GetString());
        Assert.Equal("IfNotPresent", values.GetProperty("image").GetProperty("pullPolicy").GetString());
        Assert.False(values.TryGetProperty("service", out _), "the fixed service.type must not be sent");
        var audit = await world.Admin.GetAsync($"/api/v1/audit?tenant={UiWorld.Tenant}&action=instance.create").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("target").GetString() == "search");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open search" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "History" })).ToBeVisibleAsync();
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Bad_values_in_the_generated_form_are_refused_beside_their_fields_and_nothing_is_created()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/catalog/qdrant/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("bad-one");
        await page.GetByLabel("replicaCount").FillAsync("lots");
        await page.GetByText("persistence", new() { Exact = true }).ClickAsync();
        var size = page.GetByRole(AriaRole.Group, new() { Name = "persistence", Exact = true }).GetByLabel("size");
        await size.FillAsync("10GB");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create qdrant instance" }).ClickAsync();

        // The server's words, beside each field, and what was typed is kept.
        await Expect(size).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(size).ToHaveAccessibleDescriptionAsync(new Regex(Regex.Escape("must match the pattern ^[0-9]+(Mi|Gi|Ti)$")));
        await Expect(size).ToHaveValueAsync("10GB");
        var replicas = page.GetByLabel("replicaCount");
        await Expect(replicas).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(replicas).ToHaveAccessibleDescriptionAsync(new Regex("must be a whole number"));

        // A JSON setting that does not parse is named, with where.
        var tolerations = page.GetByLabel("tolerations");
        await tolerations.FillAsync("[{\"key\": ");
        await replicas.FillAsync("7");
        await size.FillAsync("10Gi");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create qdrant instance" }).ClickAsync();
        await Expect(tolerations).ToHaveAccessibleDescriptionAsync(new Regex("is not valid JSON \\(line 1"));

        await tolerations.FillAsync("[]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create qdrant instance" }).ClickAsync();
        await Expect(replicas).ToHaveAccessibleDescriptionAsync(new Regex("above the tenant's quota of 5 replicas"));
        await Expect(size).Not.ToHaveAttributeAsync("aria-invalid", "true");

        Assert.Equal(HttpStatusCode.NotFound, (await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/bad-one")).StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Editing_values_in_the_generated_form_commits_them_and_keeps_the_rest()
    {
        const string name = "edit-me";
        await world.Admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{UiWorld.Tenant}/instances/{name}",
            new { offering = "qdrant", values = new { replicaCount = 2, persistence = new { size = "5Gi" } } }).ExpectAsync(HttpStatusCode.Created);
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{name}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit values" }).ClickAsync();

        await Expect(page.GetByLabel("replicaCount")).ToHaveValueAsync("2");
        var persistence = page.GetByRole(AriaRole.Group, new() { Name = "persistence", Exact = true });
        await Expect(persistence.GetByLabel("size")).ToHaveValueAsync("5Gi");
        await page.GetByText("image", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "image", Exact = true }).GetByLabel("tag").FillAsync("v1.13.4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save values" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved the values in commit" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Values as JSON")).ToContainTextAsync("v1.13.4");
        var values = (await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/{name}").ExpectAsync(HttpStatusCode.OK)).GetProperty("values");
        Assert.Equal("v1.13.4", values.GetProperty("image").GetProperty("tag").GetString());
        Assert.Equal(2, values.GetProperty("replicaCount").GetInt32());
        Assert.Equal("5Gi", values.GetProperty("persistence").GetProperty("size").GetString());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_sees_no_create_form_and_a_create_posted_anyway_is_refused_in_words()
    {
        var page = await world.SignInAsync(browser, "acme-viewer");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/catalog");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "qdrant" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Create a qdrant instance" })).ToHaveCountAsync(0);
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/catalog/qdrant/new");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create qdrant instance" })).ToHaveCountAsync(0);
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/instances/{UiWorld.Instance}/edit");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save values" })).ToHaveCountAsync(0);

        // The form posted anyway, with the page's own antiforgery token: the API's check refuses it.
        var response = await page.RunAndWaitForResponseAsync(() => page.EvaluateAsync(@"() => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = location.pathname.replace(/\/instances\/[^/]+\/edit$/, '/catalog/qdrant/new');
            const add = (name, value) => { const input = document.createElement('input'); input.name = name; input.value = value; form.append(input); };
            add('__RequestVerificationToken', document.querySelector('input[name=__RequestVerificationToken]').value);
            add('_handler', 'instance');
            add('name', 'sneaky');
            add('values.replicaCount', '1');
            document.body.append(form);
            form.submit();
        }"), r => r.Request.Method == "POST");
        Assert.Equal(403, response.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create qdrant instance" })).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/instances/sneaky")).StatusCode);
        await page.Context.CloseAsync();
    }
}
