using Microsoft.Playwright;

namespace Gantry.Server.Tests.Ui;

/// <summary>
/// One headless Debian chromium for the whole run (Playwright's guidance: one browser per run, a fresh context per
/// test). Playwright drives the system browser through <c>ExecutablePath</c>; it never downloads one.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private static readonly string[] Candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var executable = Environment.GetEnvironmentVariable("GANTRY_TEST_CHROMIUM") ?? Candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No chromium found: install Debian's chromium (make test-deps) or set GANTRY_TEST_CHROMIUM.");
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null)
        {
            await Instance.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class OneBrowser : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
