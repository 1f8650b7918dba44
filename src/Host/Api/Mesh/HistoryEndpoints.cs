using System.Text.Json;
using Mesh.Dns;
using Mesh.Host.Api.Consul;
using Mesh.Projections.Environments;
using Mesh.Projections.History;
using Mesh.Projections.Routes;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;

namespace Mesh.Host.Api.Mesh;

/// <summary>
/// Forensics, read-only (under <c>/v1/mesh</c>, so token-protected when <c>Mesh:Api:Token</c> is set). Every
/// <c>at</c>, <c>from</c>, <c>to</c> and <c>since</c> takes a position, an ISO-8601 time or a relative time
/// (<c>-15m</c>); times are the store's recorded times.
/// <list type="bullet">
/// <item><c>GET /v1/mesh/state?at=</c>: the registry then.</item>
/// <item><c>GET /v1/mesh/diff?from=&amp;to=</c>: what changed between two points (to: now).</item>
/// <item><c>GET /v1/mesh/timeline/{service-or-instance}?to=</c>: every event of it, with source facts.</item>
/// <item><c>GET /v1/mesh/route?host=&amp;path=&amp;at=</c>: where the gateway routed that host then.</item>
/// <item><c>GET /v1/mesh/dns?name=&amp;type=&amp;view=&amp;at=</c>: what the DNS answered then.</item>
/// <item><c>GET /v1/mesh/events?since=&amp;type=&amp;service=&amp;limit=&amp;follow=true</c>: the log; follow streams
/// new events as NDJSON until the client goes away.</item>
/// </list>
/// </summary>
internal static class HistoryEndpoints
{
    private const int DefaultLimit = 1000;

    public static IEndpointRouteBuilder MapMeshHistory(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/mesh/state", StateAsync);
        endpoints.MapGet("/v1/mesh/diff", DiffAsync);
        endpoints.MapGet("/v1/mesh/timeline/{name}", TimelineAsync);
        endpoints.MapGet("/v1/mesh/route", RouteAsync);
        endpoints.MapGet("/v1/mesh/dns", DnsAsync);
        endpoints.MapGet("/v1/mesh/events", EventsAsync);
        return endpoints;
    }

    private static async Task<IResult> StateAsync(string? at, IEventReader store, RegistryHistory history, TimeProvider clock, CancellationToken ct)
    {
        if (await ResolveAsync(at, store, clock, ct) is not { } point) return Bad("at", at, clock);
        return Results.Json(ForensicsJson.State(point, await history.StateAtAsync(point.Position, ct)));
    }

    private static async Task<IResult> DiffAsync(string? from, string? to, IEventReader store, RegistryHistory history, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(from)) return ConsulResults.BadRequest("from is required: a position, an ISO-8601 time or a relative time (-15m)");
        if (await ResolveAsync(from, store, clock, ct) is not { } start) return Bad("from", from, clock);
        if (await ResolveAsync(to, store, clock, ct) is not { } end) return Bad("to", to, clock);
        var diff = RegistryDiff.Between(await history.StateAtAsync(start.Position, ct), await history.StateAtAsync(end.Position, ct));
        return Results.Json(ForensicsJson.Diff(start, end, diff));
    }

    private static async Task<IResult> TimelineAsync(string name, string? to, IEventReader store, TimeProvider clock, CancellationToken ct)
    {
        if (await ResolveAsync(to, store, clock, ct) is not { } end) return Bad("to", to, clock);
        var timeline = await Timeline.OfAsync(store.ReadAllAsync(1, (int)Math.Min(end.Position, int.MaxValue), ct), name, null, ct);
        return timeline.Entries.IsEmpty
            ? ConsulResults.NotFound($"no service or instance '{name}' in the log up to position {end.Position}")
            : Results.Json(timeline);
    }

    private static async Task<IResult> RouteAsync(string? host, string? path, string? at, IEventReader store, RegistryHistory history, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(host)) return ConsulResults.BadRequest("host is required, e.g. host=web.mesh");
        if (await ResolveAsync(at, store, clock, ct) is not { } point) return Bad("at", at, clock);
        var state = await history.StateAtAsync(point.Position, ct);
        var route = RouteTable.Of(state, RouteTableOptions.Default).Match(host, string.IsNullOrEmpty(path) ? "/" : path);
        return Results.Json(new
        {
            At = point,
            Host = host,
            Path = string.IsNullOrEmpty(path) ? "/" : path,
            Route = route is null ? null : new
            {
                route.Host, route.PathPrefix, Cluster = route.Cluster.Id, route.Cluster.Service, route.Cluster.Env,
                Destinations = route.Cluster.Destinations.Select(d => new { d.InstanceId, d.Address, d.Port }),
            },
        });
    }

    private static async Task<IResult> DnsAsync(
        string? name, string? type, string? view, string? at, IEventReader store, RegistryHistory history, IServiceProvider services, TimeProvider clock, CancellationToken ct)
    {
        if (services.GetService<DnsAnswers>() is not { } dns) return ConsulResults.NotFound("the DNS server is not enabled (Mesh:Dns:Enabled)");
        if (string.IsNullOrWhiteSpace(name)) return ConsulResults.BadRequest("name is required, e.g. name=web.service.mesh");
        if (await ResolveAsync(at, store, clock, ct) is not { } point) return Bad("at", at, clock);
        var state = await history.StateAtAsync(point.Position, ct);
        var answer = dns.Answer(state, name, string.IsNullOrWhiteSpace(type) ? "A" : type, string.IsNullOrWhiteSpace(view) ? EnvironmentNames.Integration : view);
        return answer is null
            ? ConsulResults.BadRequest($"'{name}' {type} is not a DNS name and record type (A, AAAA, SRV, SOA, NS, ANY)")
            : Results.Json(new { At = point, Answer = answer });
    }

    private static async Task EventsAsync(
        HttpContext http, string? since, string? type, string? service, int? limit, bool? follow, IEventReader store, RegistryHistory history,
        TimeProvider clock, CancellationToken ct)
    {
        if (await ResolveAsync(string.IsNullOrWhiteSpace(since) ? "0" : since, store, clock, ct) is not { } start)
        {
            await Bad("since", since, clock).ExecuteAsync(http);
            return;
        }
        var types = string.IsNullOrWhiteSpace(type) ? null : type.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // Which service an instance's event belongs to: the registry just before, then every registration seen.
        var services = ForensicsJson.ServicesOf(await history.StateAtAsync(start.Position, ct));
        var max = Math.Clamp(limit ?? DefaultLimit, 1, 100_000);

        if (follow != true)
        {
            var list = new List<ForensicsJson.EventDto>();
            await foreach (var e in store.ReadAllAsync(start.Position + 1, int.MaxValue, ct))
            {
                if (ForensicsJson.Select(e, types, service, services) is { } dto) list.Add(dto);
                if (list.Count >= max) break;
            }
            await Results.Json(ForensicsJson.Events(list)).ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "application/x-ndjson";
        await http.Response.StartAsync(ct);
        // The headers go out now: a follower sees the stream open before the first event arrives.
        await http.Response.Body.FlushAsync(ct);
        await foreach (var e in store.SubscribeAllAsync(start.Position + 1, ct))
        {
            if (ForensicsJson.Select(e, types, service, services) is not { } dto) continue;
            await http.Response.WriteAsync(ForensicsJson.Event(dto).GetRawText() + "\n", ct);
            await http.Response.Body.FlushAsync(ct);
        }
    }

    private static Task<ForensicsJson.Point?> ResolveAsync(string? text, IEventReader store, TimeProvider clock, CancellationToken ct) =>
        ForensicsJson.ResolveAsync(text, store, clock.GetUtcNow(), null, ct);

    private static IResult Bad(string key, string? value, TimeProvider clock)
    {
        PointInTime.Parse(value, clock.GetUtcNow(), out var error);
        return ConsulResults.BadRequest($"{key}: {error}");
    }
}
