using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Server.Tests.Status;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Gantry.Server.Tests.Ui;

/// <summary>
/// Gantry on a real loopback port for the browser, with tenants <see cref="Tenant"/> (an admin and a viewer, instance
/// <see cref="Instance"/>, a Flux cluster that reports status) and <see cref="Other"/> (its admin and an instance).
/// </summary>
public sealed class UiWorld : IAsyncLifetime
{
    public const string Tenant = "acme";
    public const string Other = "beta";
    public const string Instance = "db";
    public const string Password = "a long enough test password";

    public GantryServerFactory Factory { get; } = new GantryServerFactory()
        .With("urls", "http://127.0.0.1:0")
        .With("Status:FeedPollInterval", "00:00:00.200")
        .With("Environments:WatchBucket", "false")
        // Every test signs in from the same loopback address: more sign-ins than the default budget of one client.
        .With("Auth:Throttle:RequestsPerClient", "1000");

    public string BaseUrl { get; private set; } = string.Empty;

    public HttpClient Admin { get; private set; } = null!;

    public string FluxSecret { get; private set; } = string.Empty;

    // Closed before the server stops: an open page holds a live status stream.
    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>A fresh browser context for this server; closed with the world if the test does not close it.</summary>
    public async Task<IBrowserContext> NewContextAsync(Browser browser, int width = 1440, int height = 900)
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        _contexts.Add(context);
        return context;
    }

    public async Task InitializeAsync()
    {
        Factory.UseKestrel();
        Factory.StartServer();
        BaseUrl = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Admin = await Factory.CreateAdminClientAsync();
        foreach (var tenant in new[] { Tenant, Other })
        {
            await Admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = tenant, quotas = new { maxInstances = 20, maxReplicasPerInstance = 5 } })
                .ExpectAsync(HttpStatusCode.Created);
            await Admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/instances/{Instance}", new { offering = "qdrant", values = new { replicaCount = 1 } })
                .ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, tenant, role) in new[] { ("acme-admin", Tenant, "admin"), ("acme-admin2", Tenant, "admin"), ("acme-viewer", Tenant, "viewer"), ("beta-admin", Other, "admin") })
        {
            var created = await Admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password, email = $"{user}@example.com" })
                .ExpectAsync(HttpStatusCode.Created);
            await Admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/members/{created.GetProperty("id").GetString()}", new { role })
                .ExpectAsync(HttpStatusCode.OK);
        }

        var cluster = await Admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = "flux-acme", engine = "flux", tenants = new[] { Tenant } })
            .ExpectAsync(HttpStatusCode.Created);
        FluxSecret = cluster.GetProperty("webhookSecret").GetString()!;
    }

    /// <summary>A fresh browser context (cookies and all) signed in as <paramref name="user"/> through the login page.</summary>
    public async Task<IPage> SignInAsync(Browser browser, string user, int width = 1440, int height = 900)
    {
        var page = await (await NewContextAsync(browser, width, height)).NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Username").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(user == "admin" ? GantryServerFactory.AdminPassword : Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>A Flux helm-controller event about the instance, signed as the engine signs it.</summary>
    public Task<HttpResponseMessage> PostFluxAsync(string instance, long generation, string reason, string message)
    {
        var body = StatusWorld.FluxEvent(Tenant, instance, generation, "info", reason, message, DateTimeOffset.UtcNow);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/flux/flux-acme") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Signature", StatusWorld.Sign(FluxSecret, body));
        request.Headers.Add("gotk-component", "helm-controller");
        return Factory.CreateClient().SendAsync(request);
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        Factory.Dispose();
    }
}
