using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The web UI at <c>/ui</c> of the real <c>mesh</c> process, in a real headless Chromium (<see cref="HeadlessChromium"/>):
/// the live table follows registrations without a reload, the slider shows the registry at an earlier position with
/// the diff to now, the event log filters by service, and a token in the page's URL opens the protected API.
/// Every wait is a Playwright assertion (it polls the page until it holds or its timeout passes); screenshots are kept.
/// </summary>
public sealed class UiTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LiveTable_ShowsAServiceRegisteredAfterThePageLoaded_WithoutAReload()
    {
        using var dir = new TempDirectory();
        await using var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct);
        await using var chromium = await HeadlessChromium.LaunchAsync(output);
        await chromium.RunAsync("live", mesh, async page =>
        {
            await page.GotoAsync(new Uri(mesh.BaseAddress, "/ui").ToString());
            Assert.EndsWith("/ui/", page.Url, StringComparison.Ordinal); // /ui redirects to the page
            // Registered only once the page follows the log, so that the row can only come from a live update.
            await Expect(page.GetByTestId("connection")).ToHaveTextAsync("connected");
            await Expect(page.GetByTestId("no-instances")).ToBeVisibleAsync();
            await page.EvaluateAsync("() => { window.notReloaded = true; }");
            await chromium.ScreenshotAsync("live-empty");

            await RegisterAsync(mesh, "web-1", "web", 8081);

            var row = Instance(page, "api:web-1");
            await Expect(row).ToBeVisibleAsync();
            await Expect(row).ToContainTextAsync("127.0.0.1:8081");
            await Expect(row.Locator(".status")).ToHaveTextAsync("passing");
            await Expect(page.GetByTestId("position")).ToHaveTextAsync("1");
            Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded instead of updating");

            await RegisterAsync(mesh, "api-1", "api", 9090);
            await Expect(Instance(page, "api:api-1")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=service]")).ToHaveCountAsync(2);
            await chromium.ScreenshotAsync("live-after-registrations");
        });
    }

    [Fact]
    public async Task Slider_AtAnEarlierPosition_ShowsThatState_AndTheDiffToNow()
    {
        using var dir = new TempDirectory();
        await using var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct);
        await RegisterAsync(mesh, "a-1", "svc-a", 8081);
        var earlier = await HeadAsync(mesh);
        await RegisterAsync(mesh, "b-1", "svc-b", 8082);
        using (var deregister = await mesh.Client.PutAsync("/v1/agent/service/deregister/a-1", null, Ct))
            Assert.Equal(HttpStatusCode.OK, deregister.StatusCode);
        await using var chromium = await HeadlessChromium.LaunchAsync(output);
        await chromium.RunAsync("slider", mesh, async page =>
        {
            await page.GotoAsync(new Uri(mesh.BaseAddress, "/ui/").ToString());
            await Expect(Instance(page, "api:b-1")).ToBeVisibleAsync();
            await Expect(Instance(page, "api:a-1")).ToHaveCountAsync(0);

            // Fill sets a range input's value and fires input and change, as a user letting go of the slider does.
            await page.GetByTestId("slider").FillAsync(earlier.ToString(CultureInfo.InvariantCulture));

            await Expect(page.GetByTestId("as-of")).ToContainTextAsync($"As of position {earlier} (recorded at ");
            await Expect(Instance(page, "api:a-1")).ToBeVisibleAsync();
            await Expect(Instance(page, "api:b-1")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("diff-removed")).ToContainTextAsync("api:a-1");
            await Expect(page.GetByTestId("diff-added")).ToContainTextAsync("api:b-1");
            await Expect(page.GetByTestId("diff-removed")).Not.ToContainTextAsync("api:b-1");
            await Expect(page.GetByTestId("diff-added")).Not.ToContainTextAsync("api:a-1");
            await chromium.ScreenshotAsync("slider-earlier-state");

            await page.GetByTestId("live-button").ClickAsync();
            await Expect(page.GetByTestId("as-of")).ToBeHiddenAsync();
            await Expect(page.GetByTestId("diff")).ToBeHiddenAsync();
            await Expect(Instance(page, "api:b-1")).ToBeVisibleAsync();
            await Expect(Instance(page, "api:a-1")).ToHaveCountAsync(0);

            // The text box takes what the API takes: here the same position again.
            await page.GetByTestId("at-input").FillAsync(earlier.ToString(CultureInfo.InvariantCulture));
            await page.GetByTestId("at-input").PressAsync("Enter");
            await Expect(Instance(page, "api:a-1")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("slider")).ToHaveValueAsync(earlier.ToString(CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public async Task EventLog_FilteredByService_ShowsOnlyThatServicesEvents()
    {
        using var dir = new TempDirectory();
        await using var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct);
        await RegisterAsync(mesh, "web-1", "web", 8081);
        await RegisterAsync(mesh, "api-1", "api", 9090);
        await RegisterAsync(mesh, "web-2", "web", 8082);
        using (var deregister = await mesh.Client.PutAsync("/v1/agent/service/deregister/web-1", null, Ct))
            Assert.Equal(HttpStatusCode.OK, deregister.StatusCode);
        await using var chromium = await HeadlessChromium.LaunchAsync(output);
        await chromium.RunAsync("events", mesh, async page =>
        {
            await page.GotoAsync(new Uri(mesh.BaseAddress, "/ui/").ToString());
            var rows = page.GetByTestId("event-row");
            await Expect(rows).ToHaveCountAsync(4);

            await page.GetByTestId("filter-service").FillAsync("web");
            await page.GetByTestId("filter-apply").ClickAsync();

            await Expect(rows).ToHaveCountAsync(3);
            await Expect(page.Locator("[data-testid=event-row]:not([data-service='web'])")).ToHaveCountAsync(0);
            await Expect(rows.Locator("td:nth-child(3)")).ToHaveTextAsync(["InstanceRegistered", "InstanceRegistered", "InstanceDeregistered"]);
            await Expect(rows.Locator("td:nth-child(4)")).ToHaveTextAsync(["api:web-1", "api:web-2", "api:web-1"]);

            // Each row opens to the event as the API gave it.
            await rows.Last.GetByRole(AriaRole.Button, new() { Name = "JSON" }).ClickAsync();
            var json = page.Locator("[data-testid=event-json]").Last;
            await Expect(json).ToBeVisibleAsync();
            await Expect(json).ToContainTextAsync("\"Type\": \"InstanceDeregistered\"");
            await chromium.ScreenshotAsync("events-filtered-by-service");

            // Only the service's events of one type.
            await page.GetByTestId("filter-type").SelectOptionAsync("InstanceRegistered");
            await page.GetByTestId("filter-apply").ClickAsync();
            await Expect(rows).ToHaveCountAsync(2);

            // The history of one service, as /v1/mesh/timeline tells it.
            await page.GetByTestId("history-name").FillAsync("web");
            await page.GetByTestId("history-name").PressAsync("Enter");
            await Expect(page.GetByTestId("history-entry")).ToHaveCountAsync(3);
            await chromium.ScreenshotAsync("events-history-of-a-service");
        });
    }

    [Fact]
    public async Task Drain_PutsAnInstanceInMaintenance_AndUndrainEndsIt_ThroughTheAgentApi()
    {
        using var dir = new TempDirectory();
        await using var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct);
        await RegisterAsync(mesh, "web-1", "web", 8081);
        await RegisterAsync(mesh, "web-2", "web", 8082);
        await using var chromium = await HeadlessChromium.LaunchAsync(output);
        await chromium.RunAsync("drain", mesh, async page =>
        {
            await page.GotoAsync(new Uri(mesh.BaseAddress, "/ui/").ToString());
            var row = Instance(page, "api:web-1");
            await Expect(row.Locator(".status")).ToHaveTextAsync("passing");

            await row.GetByTestId("maintenance-toggle").ClickAsync();

            await Expect(row.Locator(".status")).ToHaveTextAsync("critical");
            await Expect(row.GetByTestId("maintenance-reason")).ToHaveTextAsync("drained from the Mesh UI");
            await Expect(row.GetByTestId("maintenance-toggle")).ToHaveTextAsync("Undrain");
            await Expect(Instance(page, "api:web-2").Locator(".status")).ToHaveTextAsync("passing");
            await chromium.ScreenshotAsync("drained");
            // What every consumer reads: Consul's health API lists only the other instance as passing.
            var passing = (await mesh.Client.ReadAsync<JsonArray>("/v1/health/service/web?passing=true", Ct)).Body;
            Assert.Equal(["web-2"], passing.Select(e => (string)e!["Service"]!["ID"]!));

            await row.GetByTestId("maintenance-toggle").ClickAsync();

            await Expect(row.Locator(".status")).ToHaveTextAsync("passing");
            await Expect(row.GetByTestId("maintenance-reason")).ToHaveCountAsync(0);
            await Expect(row.GetByTestId("maintenance-toggle")).ToHaveTextAsync("Drain");
            await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        });
    }

    [Fact]
    public async Task WithAnApiToken_ThePageReadsTheApi_OnlyWithTheTokenInItsUrl()
    {
        using var dir = new TempDirectory();
        await using var mesh = MeshProcess.Start(dir.Path, new Dictionary<string, string?> { ["MESH__API__TOKEN"] = "s3cret" });
        await mesh.WaitHealthyAsync(TimeSpan.FromSeconds(30), Ct);
        mesh.Client.DefaultRequestHeaders.Add("X-Mesh-Token", "s3cret");
        await RegisterAsync(mesh, "web-1", "web", 8081);
        await using var chromium = await HeadlessChromium.LaunchAsync(output);
        await chromium.RunAsync("token", mesh, async page =>
        {
            await page.GotoAsync(new Uri(mesh.BaseAddress, "/ui/").ToString());
            await Expect(page.GetByTestId("error")).ToContainTextAsync("403");

            await page.GotoAsync(new Uri(mesh.BaseAddress, "/ui?token=s3cret").ToString());
            await Expect(Instance(page, "api:web-1")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("connection")).ToHaveTextAsync("connected");
            await Expect(page.GetByTestId("error")).ToBeHiddenAsync();
            await chromium.ScreenshotAsync("token-in-url");
        });
    }

    private static ILocator Instance(IPage page, string instanceId) =>
        page.Locator($"[data-testid=instance][data-instance-id='{instanceId}']");

    private static async Task RegisterAsync(MeshProcess mesh, string id, string service, int port)
    {
        using var response = await mesh.Client.RegisterAsync(new JsonObject
        {
            ["ID"] = id,
            ["Name"] = service,
            ["Address"] = "127.0.0.1",
            ["Port"] = port,
        }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"register {id} answered {(int)response.StatusCode}{mesh.Describe()}");
    }

    private static async Task<long> HeadAsync(MeshProcess mesh) =>
        (long)(await mesh.Client.ReadAsync<JsonObject>("/v1/mesh/status", Ct)).Body["StoreHead"]!;
}
