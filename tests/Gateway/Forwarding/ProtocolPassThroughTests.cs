using System.Net;
using System.Net.WebSockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Gateway.Tests.Common;
using Mesh.Tests.Common;

namespace Mesh.Gateway.Tests.Forwarding;

/// <summary>
/// Upgrades and HTTP/2 through the gateway. The gRPC client is the real Grpc.Net.Client; the instance speaks gRPC's
/// wire format by hand (<see cref="HttpBackend"/>: length-prefixed messages, grpc-status in trailers).
/// </summary>
public sealed class ProtocolPassThroughTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WebSocket_EchoesThroughTheGateway()
    {
        await using var backend = await HttpBackend.StartAsync("ws");
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.RegisterAsync("ws-1", "chat", backend, routes: new Registry.Events.RouteSpec("chat.example.com"));

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Host", "chat.example.com");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Endpoints.Http!.Port}/ws"), Ct);
        foreach (var text in new[] { "hello", "搜索 电影", new string('x', 3000) })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Ct);
            Assert.Equal(text, await ReceiveTextAsync(socket));
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Ct);

        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task GrpcOverH2c_UnaryCallThroughTheGateway()
    {
        await using var backend = await HttpBackend.StartAsync("grpc-a", h2c: true);
        await using var gateway = await GatewayHarness.StartAsync(o => o.H2cUrl = "http://127.0.0.1:0");
        await gateway.RegisterAsync("greeter-1", "greeter", backend);

        // The channel's address is the gateway; the Host (authority) picks the route, as DNS would have.
        using var handler = new HostRewritingHandler("greeter.mesh", new SocketsHttpHandler());
        using var channel = GrpcChannel.ForAddress(gateway.Endpoints.H2c!, new GrpcChannelOptions { HttpHandler = handler });
        var method = new Method<string, string>(MethodType.Unary, "echo.Echo", "Say", Utf8, Utf8);

        var reply = await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(cancellationToken: Ct), "ping 影院");

        Assert.Equal("grpc-a:ping 影院", reply);
        Assert.Equal(HttpVersion.Version20, handler.LastResponseVersion);
    }

    private static readonly Marshaller<string> Utf8 = Marshallers.Create(s => Encoding.UTF8.GetBytes(s), b => Encoding.UTF8.GetString(b));

    private static async Task<string> ReceiveTextAsync(WebSocket socket)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, Ct);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    /// <summary>Sends every request with another authority, and remembers the HTTP version answered.</summary>
    private sealed class HostRewritingHandler(string host, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public Version? LastResponseVersion { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = host;
            var response = await base.SendAsync(request, cancellationToken);
            LastResponseVersion = response.Version;
            return response;
        }
    }
}
