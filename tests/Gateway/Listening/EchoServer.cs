using System.Net;
using System.Text;
using Mesh.Gateway.Listening;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Gateway.Tests.Listening;

/// <summary>
/// A Kestrel server on 127.0.0.1 (HTTP/1.1 and HTTP/2 unless told otherwise) that answers every request with what Kestrel made of it:
/// <see cref="Echo"/>'s lines, then the request body byte for byte.
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<EchoServer> StartAsync(bool rewriteTargets, CancellationToken ct, HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        // As GatewayServer builds its server: an empty builder with Kestrel's core only.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            if (rewriteTargets) listen.UseNonAsciiRequestTargets();
        }));
        var app = builder.Build();
        app.Run(EchoAsync);
        await app.StartAsync(ct);
        return new EchoServer(app, new Uri(app.Urls.Single()).Port);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static async Task EchoAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);

        var head = Encoding.UTF8.GetBytes($"{request.Protocol}\n{rawTarget}\n{request.Path.Value}\n{request.QueryString.Value}\n");
        context.Response.ContentLength = head.Length + body.Length;
        await context.Response.Body.WriteAsync(head, context.RequestAborted);
        await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
    }
}

/// <summary>What <see cref="EchoServer"/> saw of one request.</summary>
internal sealed record Echo(string Protocol, string RawTarget, string Path, string Query, byte[] Body)
{
    public static Echo Parse(byte[] response)
    {
        var lines = new string[4];
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var end = Array.IndexOf(response, (byte)'\n', start);
            lines[i] = Encoding.UTF8.GetString(response, start, end - start);
            start = end + 1;
        }

        return new Echo(lines[0], lines[1], lines[2], lines[3], response[start..]);
    }
}
