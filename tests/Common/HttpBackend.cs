using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Common;

/// <summary>
/// A real Kestrel backend on a free loopback port (HTTP/1.1, or h2c only). It answers with what it received, one
/// <c>key=value</c> line each: <c>backend</c> (its name), <c>target</c> (the raw request target), <c>method</c>, and
/// <c>h:&lt;header&gt;</c> for every request header. <c>/status/&lt;code&gt;</c> answers that status,
/// <c>/slow/&lt;ms&gt;</c> waits first, <c>/ws</c> echoes WebSocket messages; <see cref="FailWith"/> makes every
/// answer that status.
/// </summary>
internal sealed class HttpBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private HttpBackend(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>When set, every request is answered with this status.</summary>
    public int? FailWith { get; set; }

    /// <param name="h2c">Speak cleartext HTTP/2 only (prior knowledge), as gRPC servers do; else HTTP/1.1.</param>
    public static async Task<HttpBackend> StartAsync(string name, int port = 0, bool h2c = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, l => l.Protocols = h2c ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        HttpBackend? backend = null;
        app.UseWebSockets();
        app.Run(context => backend!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        backend = new HttpBackend(app, name, new Uri(address).Port);
        return backend;
    }

    /// <summary>Stops listening and drops every connection, as a killed process would.</summary>
    public async Task KillAsync()
    {
        using var now = new CancellationTokenSource(TimeSpan.Zero);
        try { await _app.StopAsync(now.Token); }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        if (context.WebSockets.IsWebSocketRequest)
        {
            await EchoAsync(await context.WebSockets.AcceptWebSocketAsync());
            return;
        }
        if (request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            await GrpcEchoAsync(context);
            return;
        }
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/slow/", StringComparison.Ordinal) && int.TryParse(path["/slow/".Length..], out var ms))
            await Task.Delay(ms, context.RequestAborted);
        context.Response.StatusCode = FailWith
            ?? (path.StartsWith("/status/", StringComparison.Ordinal) && int.TryParse(path["/status/".Length..], out var code) ? code : 200);
        context.Response.Headers["X-Backend"] = Name;
        var body = new StringBuilder()
            .Append("backend=").Append(Name).Append('\n')
            .Append("target=").Append(context.Features.Get<IHttpRequestFeature>()!.RawTarget).Append('\n')
            .Append("method=").Append(request.Method).Append('\n')
            .Append("protocol=").Append(request.Protocol).Append('\n');
        foreach (var (key, value) in request.Headers) body.Append("h:").Append(key.ToLowerInvariant()).Append('=').Append(value.ToString()).Append('\n');
        await context.Response.WriteAsync(body.ToString(), context.RequestAborted);
    }

    private static async Task EchoAsync(WebSocket socket)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
        }
    }

    /// <summary>
    /// gRPC on the wire (length-prefixed messages, status in trailers): every unary call is answered with its own
    /// request message prefixed by the backend's name, so a client sees which instance served it.
    /// </summary>
    private async Task GrpcEchoAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var frame = buffer.ToArray();
        var message = frame.Length >= 5 ? frame.AsSpan(5) : [];
        var reply = Encoding.UTF8.GetBytes(Name + ":").Concat(message.ToArray()).ToArray();
        var response = new byte[5 + reply.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(response.AsSpan(1), reply.Length);
        reply.CopyTo(response, 5);
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(response, context.RequestAborted);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    /// <summary>The <c>key=value</c> lines of a body this backend answered; the last value of a repeated key wins.</summary>
    public static Dictionary<string, string> Parse(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);
}
