using Microsoft.Playwright;
using Xunit;

namespace Mesh.EndToEnd.Tests.Common;

/// <summary>
/// A real headless Chromium, Debian's (<c>/usr/bin/chromium</c>, which scripts/test.sh installs), driven by Playwright:
/// Playwright's driver ships in its NuGet package, and the browser is the system's, so nothing is downloaded. One page
/// per session; what the page logged goes to the test output, and screenshots are kept as test artefacts
/// (<see cref="ScreenshotDirectory"/>).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly ITestOutputHelper _output;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser, IPage page, ITestOutputHelper output)
    {
        _playwright = playwright;
        _browser = browser;
        _output = output;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>
    /// <c>$TEST_RESULTS_DIR/ui-screenshots</c> when TEST_RESULTS_DIR is set (scripts/test.sh sets it to TestResults/),
    /// else <c>ui-screenshots</c> next to the test assembly.
    /// </summary>
    public static string ScreenshotDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("TEST_RESULTS_DIR") is { Length: > 0 } results ? results : AppContext.BaseDirectory,
            "ui-screenshots");

    /// <summary>Launches Chromium and opens a page; fails, saying how to fix it, when Chromium is not installed.</summary>
    public static async Task<HeadlessChromium> LaunchAsync(ITestOutputHelper output)
    {
        if (!File.Exists(ExecutablePath))
            Assert.Fail($"{ExecutablePath} is missing: the UI tests drive Debian's Chromium. Install it with "
                + "`apt-get install chromium` (scripts/test.sh does when it runs as root).");
        // Playwright's assertions wait (polling the page) up to this long before they fail.
        Assertions.SetDefaultExpectTimeout(15_000);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                // Root in a container has no user namespace for Chromium's sandbox; a small /dev/shm crashes tabs.
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
            page.Console += (_, message) => output.WriteLine($"[browser {message.Type}] {message.Text}");
            page.PageError += (_, error) => output.WriteLine($"[browser page error] {error}");
            return new HeadlessChromium(playwright, browser, page, output);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Saves a full-page screenshot as <c>{name}.png</c> under <see cref="ScreenshotDirectory"/> and prints its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(ScreenshotDirectory, $"{name}.png");
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>
    /// Runs the steps of a test; when one fails, keeps a screenshot (<c>{name}-failed.png</c>) and Mesh's output in the
    /// test output before the failure goes on.
    /// </summary>
    public async Task RunAsync(string name, MeshProcess mesh, Func<IPage, Task> steps)
    {
        try
        {
            await steps(Page);
        }
        catch
        {
            try { await ScreenshotAsync($"{name}-failed"); }
            catch (PlaywrightException ex) { _output.WriteLine($"no failure screenshot: {ex.Message}"); }
            _output.WriteLine(mesh.Describe());
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
