using System.Net;
using System.Net.Security;
using Mesh.Gateway.Tests.Common;
using Mesh.Gateway.Tests.Tls;
using Mesh.Registry.Events;
using Mesh.Tests.Common;

namespace Mesh.Gateway.Tests.Forwarding;

/// <summary>The gateway's HTTPS listener (certificates by SNI from files) and the per-route redirect to it.</summary>
public sealed class HttpsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpsListener_ServesTheRouteWithTheCertificateForItsName_AndTellsTheInstanceItWasHttps()
    {
        using var files = new TlsFiles();
        var shop = files.Write("shop", TlsFiles.Create("shop", "shop.example.com"));
        var other = files.Write("other", TlsFiles.Create("other", "*.other.test"));
        await using var backend = await HttpBackend.StartAsync("shop");
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.HttpsUrl = "https://127.0.0.1:0";
            o.Certificates = [other, shop];
        });
        await gateway.RegisterAsync("shop-1", "shop", backend, routes: new RouteSpec("shop.example.com"));
        string? servedTo = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = "shop.example.com",
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    servedTo = certificate?.Subject;
                    return true;
                },
            },
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.Endpoints.Https!, "/cart"));
        request.Headers.Host = "shop.example.com";

        using var response = await client.SendAsync(request, Ct);
        var seen = HttpBackend.Parse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CN=shop", servedTo);
        Assert.Equal("https", seen["h:x-forwarded-proto"]);
    }

    [Fact]
    public async Task RouteWithHttpsRedirect_AnswersPlainHttpWith308ToTheHttpsListener_KeepingTheTarget()
    {
        using var files = new TlsFiles();
        var certificate = files.Write("shop", TlsFiles.Create("shop", "shop.example.com"));
        await using var backend = await HttpBackend.StartAsync("shop");
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.HttpsUrl = "https://127.0.0.1:0";
            o.Certificates = [certificate];
        });
        await gateway.RegisterAsync("shop-1", "shop", backend, routes: [
            new RouteSpec("shop.example.com", "/", HttpsRedirect: true),
            new RouteSpec("plain.example.com"),
        ]);

        var (status, _, response) = await gateway.GetAsync("shop.example.com", "/a%2Fb?q=1");
        var (plainStatus, _, _) = await gateway.GetAsync("plain.example.com", "/");

        Assert.Equal(308, status);
        Assert.Equal($"https://shop.example.com:{gateway.Endpoints.Https!.Port}/a%2Fb?q=1", response.Headers.Location!.OriginalString);
        Assert.Equal(200, plainStatus);
        Assert.Equal(1, backend.Requests);
    }
}
