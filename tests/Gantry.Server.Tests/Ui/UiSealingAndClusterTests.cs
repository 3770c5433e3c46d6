using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>The tenant's sealing key (its private key handed over once) and the clusters with their setup, in the browser.</summary>
public sealed partial class UiTests
{
    [Fact]
    public async Task A_tenant_admin_downloads_the_private_key_once_with_a_warning()
    {
        var page = await world.SignInAsync(browser, "beta-admin");
        await page.GotoAsync($"/tenants/{UiWorld.Other}/sealing-key");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Active key" })).ToContainTextAsync("not downloaded yet");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Download the private key" })).ToContainTextAsync("This works once");
        await page.GetByLabel("Controller's namespace").FillAsync("Not A Namespace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Download the private key once" }).ClickAsync();
        await Expect(page.GetByLabel("Controller's namespace")).ToHaveAccessibleDescriptionAsync(new Regex("must be a DNS-1123 label"));

        await page.GetByLabel("Controller's namespace").FillAsync("sealed-secrets");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Download the private key once" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal("no-store", await response.HeaderValueAsync("cache-control"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The private key, shown once" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("will not show it again");
        var secret = await page.GetByLabel("Controller key Secret (YAML)").InputValueAsync();
        Assert.Contains("kind: Secret", secret, StringComparison.Ordinal);
        Assert.Contains("namespace: sealed-secrets", secret, StringComparison.Ordinal);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Save as file" })).ToHaveAttributeAsync("download", $"sealing-key-{UiWorld.Other}.yaml");

        // Once: the page no longer offers it, and the API's own words answer a second try.
        await page.GotoAsync($"/tenants/{UiWorld.Other}/sealing-key");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Active key" })).ToContainTextAsync("downloaded 20");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Download the private key once" })).ToHaveCountAsync(0);
        Assert.DoesNotContain("PRIVATE", await page.ContentAsync(), StringComparison.Ordinal);
        var again = await PostAnywayAsync(page, $"/tenants/{UiWorld.Other}/sealing-key", ("_handler", "download"), ("Namespace", "kube-system"));
        Assert.Equal(410, again.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The private key was already downloaded.");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_sees_the_sealing_certificate_but_a_private_key_download_posted_anyway_is_refused()
    {
        var page = await world.SignInAsync(browser, "acme-viewer");
        await page.GotoAsync($"/tenants/{UiWorld.Tenant}/sealing-key");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Active key" })).ToContainTextAsync("Fingerprint");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Download the private key once" })).ToHaveCountAsync(0);
        var refused = await PostAnywayAsync(page, $"/tenants/{UiWorld.Tenant}/sealing-key", ("_handler", "download"), ("Namespace", "kube-system"));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
        var key = await world.Admin.GetAsync($"/api/v1/tenants/{UiWorld.Tenant}/sealing-key?format=json").ExpectAsync(HttpStatusCode.OK);
        Assert.False(key.GetProperty("privateKeyDownloaded").GetBoolean());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenant_admin_registers_a_cluster_sees_its_secret_once_and_its_setup_after()
    {
        var page = await world.SignInAsync(browser, "acme-admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Clusters" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "flux-acme" })).ToContainTextAsync("flux");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("argo-acme");
        await page.GetByLabel("Engine").SelectOptionAsync("argocd");
        await page.GetByLabel("Tenants").FillAsync($"{UiWorld.Tenant}, {UiWorld.Other}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A tenant admin may bind a cluster to their own tenant only");

        await page.GetByLabel("Tenants").FillAsync(UiWorld.Tenant);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The webhook secret, shown once" })).ToBeVisibleAsync();
        var secret = await page.GetByLabel("webhook-secret").InputValueAsync();
        await Expect(page.GetByLabel("Setup manifests with the webhook secret")).ToContainTextAsync(secret);

        await page.GetByRole(AriaRole.Link, new() { Name = "argo-acme" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cluster argo-acme" })).ToBeVisibleAsync();
        var setup = page.GetByLabel("The manifests (YAML)");
        await Expect(setup).ToContainTextAsync("kind:");
        await Expect(setup).ToContainTextAsync("/api/v1/webhooks/argocd/argo-acme");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_has_no_clusters_and_a_cluster_posted_anyway_is_refused()
    {
        var page = await world.SignInAsync(browser, "acme-viewer");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Clusters" })).ToHaveCountAsync(0);
        Assert.Equal(404, (await page.GotoAsync("/clusters/flux-acme"))!.Status);
        await page.GotoAsync("/clusters");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Register cluster" })).ToHaveCountAsync(0);
        var refused = await PostAnywayAsync(page, "/clusters", ("_handler", "create"), ("NewCluster.Name", "sneaky"), ("NewCluster.Engine", "flux"), ("NewCluster.Tenants", UiWorld.Tenant));
        Assert.Equal(403, refused.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A tenant admin may bind a cluster to their own tenant only");
        Assert.Equal(HttpStatusCode.NotFound, (await world.Admin.GetAsync("/api/v1/clusters/sneaky")).StatusCode);
        await page.Context.CloseAsync();
    }
}
