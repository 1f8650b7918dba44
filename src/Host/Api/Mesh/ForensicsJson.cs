using System.Text.Encodings.Web;
using System.Text.Json;
using Mesh.Projections.Environments;
using Mesh.Projections.History;
using Mesh.Projections.Routes;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Mesh.Registry.Store;

namespace Mesh.Host.Api.Mesh;

/// <summary>
/// The forensics answers' JSON shapes, one copy for the HTTP API (<see cref="HistoryEndpoints"/>) and for the CLI
/// reading a store directly (<c>--data</c>): the same fields, names and order, PascalCase, so that a script reads
/// either target alike. The CLI's tests compare the two answers for the same questions.
/// </summary>
internal static class ForensicsJson
{
    /// <summary>The API's JSON settings: ASP.NET Core's (the web defaults, relaxed escaping) with the field names as declared.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A point of the log with the event there: its position, the store's time and the source's.</summary>
    public sealed record Point(long Position, string? Requested, DateTimeOffset? RecordedAt, DateTimeOffset? SourceTime, long Head);

    /// <summary>
    /// Where <paramref name="text"/> falls in the log: a position (clamped to the head), the last event recorded at or
    /// before a time, or the head; null (and <paramref name="error"/>) when it is not a point (<see cref="PointInTime"/>).
    /// </summary>
    public static async Task<Point?> ResolveAsync(string? text, IEventReader store, DateTimeOffset now, Action<string>? error, CancellationToken ct)
    {
        if (PointInTime.Parse(text, now, out var problem) is not { } point)
        {
            error?.Invoke(problem!);
            return null;
        }
        var head = await store.ReadHeadPositionAsync(ct);
        var position = point switch
        {
            { Position: { } p } => Math.Clamp(p, 0, head),
            { Time: { } t } => Math.Min(await store.ReadPositionAtAsync(t, ct), head),
            _ => head,
        };
        RecordedEvent? there = null;
        if (position > 0)
            await foreach (var e in store.ReadAllAsync(position, 1, ct)) there = e;
        return new Point(position, text, there?.RecordedAt, there?.Metadata.SourceTime, head);
    }

    /// <summary>GET /v1/mesh/state.</summary>
    public static JsonElement State(Point at, RegistryState state) => JsonSerializer.SerializeToElement(new
    {
        At = at,
        Instances = state.Instances.Values.Where(i => i.Registration is not null).Select(InstanceDto.Of),
        Environments = EnvironmentView.Of(state).Environments.Values.Select(e => new { e.Name, e.Fallback, e.Defined, e.InstanceCount }),
        Routes = RouteTable.Of(state, RouteTableOptions.Default).Routes.Select(r => new
        {
            r.Host, r.PathPrefix, Cluster = r.Cluster.Id,
            Destinations = r.Cluster.Destinations.Select(d => $"{d.Address}:{d.Port}"),
        }),
    }, Options);

    /// <summary>GET /v1/mesh/diff.</summary>
    public static JsonElement Diff(Point from, Point to, RegistryDiff diff) =>
        JsonSerializer.SerializeToElement(new { From = from, To = to, Diff = diff }, Options);

    /// <summary>GET /v1/mesh/timeline/{name}.</summary>
    public static JsonElement Timeline(Timeline timeline) => JsonSerializer.SerializeToElement(timeline, Options);

    /// <summary>GET /v1/mesh/events: a list of events.</summary>
    public static JsonElement Events(IEnumerable<EventDto> events) => JsonSerializer.SerializeToElement(events, Options);

    /// <summary>One event of GET /v1/mesh/events (a list item, or a line with follow=true).</summary>
    public static JsonElement Event(EventDto e) => JsonSerializer.SerializeToElement(e, Options);

    /// <summary>
    /// Which events GET /v1/mesh/events lists: of these types (null: all), of this service (null: any); the services
    /// of instances are kept in <paramref name="services"/> as registrations go by.
    /// </summary>
    public static EventDto? Select(RecordedEvent e, HashSet<string>? types, string? service, Dictionary<string, string> services)
    {
        string? instanceId = null, of = null;
        if (e.Event is IInstanceEvent ie)
        {
            instanceId = ie.InstanceId;
            if (e.Event is InstanceRegistered r) services[r.InstanceId] = r.Service;
            services.TryGetValue(ie.InstanceId, out of);
        }
        if (types is not null && !types.Contains(e.Type)) return null;
        if (service is not null && !string.Equals(service, of, StringComparison.Ordinal)) return null;
        return new EventDto(e.Position, e.Type, e.Stream.Value, instanceId, of, e.RecordedAt, e.Metadata.SourceTime, e.Metadata.SourceFactId,
            e.Metadata.CorrelationId, JsonSerializer.SerializeToElement(e.Event, e.Event.GetType()));
    }

    /// <summary>The registered instances of a state and their services, as <see cref="Select"/> starts from.</summary>
    public static Dictionary<string, string> ServicesOf(RegistryState state) =>
        state.Instances.Values.Where(i => i.Registration is not null)
            .ToDictionary(i => i.InstanceId, i => i.Registration!.Service, StringComparer.Ordinal);

    public sealed record EventDto(
        long Position, string Type, string Stream, string? InstanceId, string? Service, DateTimeOffset RecordedAt, DateTimeOffset? SourceTime,
        string? SourceFactId, string? CorrelationId, JsonElement Data);

    private sealed record InstanceDto(
        string InstanceId, string Service, string Env, string Address, int Port, IReadOnlyList<string> Tags, string? Version, string Node, string Source,
        string Status, string? Maintenance, IReadOnlyList<object> Checks)
    {
        public static InstanceDto Of(InstanceState i)
        {
            var r = i.Registration!;
            return new InstanceDto(i.InstanceId, r.Service, r.Env, r.Address, r.Port, r.Tags, r.Version, r.Node, r.Source,
                i.Status.ToString().ToLowerInvariant(), i.MaintenanceReason,
                [.. i.Checks.Select(c => (object)new { CheckId = c.Key, Status = c.Value.Status.ToString().ToLowerInvariant(), c.Value.Output })]);
        }
    }
}
