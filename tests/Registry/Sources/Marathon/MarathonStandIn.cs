using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mesh.Registry.Tests.Sources.Marathon;

/// <summary>
/// NOT Marathon: a small stand-in (Kestrel on 127.0.0.1, port 0) that speaks the parts of Marathon's API the source
/// uses: <c>GET /v2/events</c> as SSE with Marathon's framing (what the test sends), <c>GET /v2/apps?embed=apps.tasks</c>
/// and <c>GET /v2/apps/{id}</c> from <see cref="AppsJson"/> (mutable), and a standby's redirect to the leader.
/// </summary>
internal sealed class MarathonStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _lock = new();
    private readonly List<Channel<string>> _streams = [];
    private volatile string _appsJson = "{\"apps\":[]}";

    private MarathonStandIn(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>The <c>/v2/apps?embed=apps.tasks</c> answer.</summary>
    public string AppsJson { get => _appsJson; set => _appsJson = value; }

    /// <summary>When set, <c>/v2/events</c> answers 307 to this URL (same path and query), as a standby does.</summary>
    public string? RedirectTo { get; set; }

    /// <summary>When set, <c>/v2/apps</c> answers 502, as a master does while leadership is in flux.</summary>
    public bool AppsFailing { get; set; }

    /// <summary>Event streams opened since start (a reconnect opens another).</summary>
    public int StreamsOpened { get; private set; }

    public int OpenStreams { get { lock (_lock) return _streams.Count; } }

    public static async Task<MarathonStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new MarathonStandIn(app);
        app.MapGet("/v2/events", standIn.EventsAsync);
        app.MapGet("/v2/apps", () => standIn.AppsFailing
            ? Results.Text("Could not determine the current leader", statusCode: StatusCodes.Status502BadGateway)
            : Results.Text(standIn.AppsJson, "application/json"));
        app.MapGet("/v2/apps/{**id}", (string id) => standIn.App(id));
        await app.StartAsync(TestContext.Current.CancellationToken);
        standIn.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return standIn;
    }

    /// <summary>Sends one event with Marathon's framing (<c>event:</c>, <c>data:</c>, blank line) to every open stream.</summary>
    public void Send(string eventType, string json) => SendRaw($"event: {eventType}\ndata: {json}\n\n");

    public void SendRaw(string text)
    {
        lock (_lock)
        {
            foreach (var stream in _streams) stream.Writer.TryWrite(text);
        }
    }

    /// <summary>Ends every open stream (the server closes the response), as a master that loses leadership does.</summary>
    public void DropStreams()
    {
        lock (_lock)
        {
            foreach (var stream in _streams) stream.Writer.TryComplete();
            _streams.Clear();
        }
    }

    private async Task EventsAsync(HttpContext context)
    {
        if (RedirectTo is { } leader)
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = leader.TrimEnd('/') + context.Request.Path + context.Request.QueryString;
            return;
        }
        if (!context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        var channel = Channel.CreateUnbounded<string>();
        lock (_lock)
        {
            _streams.Add(channel);
            StreamsOpened++;
        }
        context.Response.ContentType = "text/event-stream;charset=UTF-8";
        context.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
        var ct = context.RequestAborted;
        try
        {
            await context.Response.WriteAsync("event: event_stream_attached\ndata: {\"remoteAddress\":\"127.0.0.1\",\"eventType\":\"event_stream_attached\",\"timestamp\":\"2017-02-18T19:12:00.102Z\"}\n\n", ct);
            await context.Response.Body.FlushAsync(ct);
            await foreach (var text in channel.Reader.ReadAllAsync(ct))
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
                await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock) _streams.Remove(channel);
        }
    }

    private IResult App(string id)
    {
        using var document = System.Text.Json.JsonDocument.Parse(AppsJson);
        foreach (var app in document.RootElement.GetProperty("apps").EnumerateArray())
        {
            if (app.GetProperty("id").GetString()?.TrimStart('/') == id.TrimStart('/'))
                return Results.Text($"{{\"app\":{app.GetRawText()}}}", "application/json");
        }
        return Results.NotFound();
    }

    public async ValueTask DisposeAsync()
    {
        DropStreams();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
