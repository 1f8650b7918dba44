using System.Net;
using Mesh.Nginx.Configuration;
using Mesh.Nginx.Model;
using Mesh.Nginx.Rendering;
using Mesh.Registry.Events;
using static Mesh.Nginx.Tests.Fixtures;

namespace Mesh.Nginx.Tests.Rendering;

/// <summary>What the built-in template renders is accepted by a real nginx, in both modes.</summary>
public sealed class BuiltInTemplateNginxTests
{
    [Theory]
    [InlineData("upstreams")]
    [InlineData("full")]
    public async Task BuiltInTemplate_RoutesEnvironmentsAndAServiceWithoutInstances_StartsARealNginx(string mode)
    {
        var listen = NginxInstance.FreePort();
        var state = Fold(
            Registered("a", "web", routes: [new RouteSpec("www.example.test"), new RouteSpec("www.example.test", "/api", StripPrefix: true)]),
            Registered("b", "web", env: "feature-x"),
            Registered("c", "api", routes: [new RouteSpec("api.example.test", "/v2")]),
            Critical("c"));

        // nginx refuses the whole configuration if any part of the rendered file is invalid: starting it is the check.
        await using var nginx = await NginxInstance.StartAsync(path => NginxTemplate.BuiltIn.Render(NginxModel.From(state, "t",
            new NginxTargetOptions { OutputPath = path, Mode = mode, Listen = $"127.0.0.1:{listen}", Services = ["web", "api", "ghost"] })));

        if (mode != "full") return;
        // A routed service with no passing instance answers 503 from the placeholder, not 502.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{listen}/v2/x") { Headers = { Host = "api.example.test" } };
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
