using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.Host.Api.Mesh;
using Mesh.Projections.History;
using Mesh.Registry.Store.Sqlite;

namespace Mesh.Host.Cli;

/// <summary>
/// The options every forensics verb takes: which Mesh to ask (<c>--api</c>, default <c>Mesh:Api:Url</c>) or which data
/// directory to read (<c>--data</c>), the API token, and <c>--json</c>.
/// </summary>
internal sealed class TargetOptions
{
    private TargetOptions() { }

    public Option<string?> Api { get; } = new("--api")
    {
        Description = "The HTTP API of a running Mesh (default: Mesh:Api:Url from appsettings.json and MESH__API__URL, else http://127.0.0.1:8500).",
        HelpName = "url",
    };

    public Option<string?> Data { get; } = new("--data")
    {
        Description = "Read a data directory (its mesh.db) directly instead, read-only; works while Mesh runs on it.",
        HelpName = "dir",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "The API token (Mesh:Api:Token), sent as X-Mesh-Token (default: MESH__API__TOKEN).",
        HelpName = "token",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the HTTP API's JSON instead of tables." };

    public static TargetOptions AddTo(Command command)
    {
        var options = new TargetOptions();
        command.Options.Add(options.Api);
        command.Options.Add(options.Data);
        command.Options.Add(options.Token);
        command.Options.Add(options.Json);
        return options;
    }

    /// <summary>The target the options name; a bad URL, a missing directory or both options at once is bad usage.</summary>
    public ForensicsTarget Open(ParseResult parsed)
    {
        var api = parsed.GetValue(Api);
        var data = parsed.GetValue(Data);
        if (api is not null && data is not null) throw CliException.Usage("Pass either --api <url> or --data <dir>, not both.");
        if (data is not null) return DataTarget.Open(data);
        var configuration = CliConfiguration.Load();
        var url = api ?? CliConfiguration.ClientUrl(configuration["Mesh:Api:Url"]);
        var token = parsed.GetValue(Token) ?? configuration["Mesh:Api:Token"];
        return ApiTarget.Create(url, string.IsNullOrEmpty(token) ? null : token);
    }
}

/// <summary>The configuration the CLI shares with <c>mesh run</c>: appsettings.json beside the binary, then MESH__ environment variables.</summary>
internal static partial class CliConfiguration
{
    public const string DefaultUrl = "http://127.0.0.1:8500";

    public static IConfiguration Load()
    {
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production";
        return new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
    }

    /// <summary>Where a client reaches a listen URL: the first of a list, with a wildcard host (0.0.0.0, *, +, [::]) as loopback.</summary>
    public static string ClientUrl(string? listen)
    {
        if (string.IsNullOrWhiteSpace(listen)) return DefaultUrl;
        var first = listen.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? DefaultUrl;
        return Wildcard().Replace(first, m => m.Groups["host"].Value == "[::]" ? $"{m.Groups["scheme"].Value}[::1]" : $"{m.Groups["scheme"].Value}127.0.0.1");
    }

    [GeneratedRegex(@"^(?<scheme>https?://)(?<host>\*|\+|0\.0\.0\.0|\[::\])(?=[:/]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Wildcard();
}

/// <summary>Points of the log as the verbs take them (PointInTime): checked before any target is asked.</summary>
internal static class CliTimes
{
    /// <summary>Throws bad usage, with the API's wording, when <paramref name="text"/> is no position or time.</summary>
    public static void Check(string name, string? text)
    {
        if (PointInTime.Parse(text, DateTimeOffset.UtcNow, out var error) is null) throw CliException.Usage($"{name}: {error}");
    }
}

/// <summary>What <c>mesh events</c> asks for: the API's since, type, service and limit.</summary>
internal sealed record EventQuery(string Since, string? Type, string? Service, int? Limit);

/// <summary>A Mesh to ask or a data directory to read; answers are the HTTP API's JSON either way.</summary>
internal abstract class ForensicsTarget : IAsyncDisposable
{
    /// <summary>"Mesh at http://…" or "data directory /…", for messages.</summary>
    public abstract string Name { get; }

    /// <summary>GET /v1/mesh/state?at=</summary>
    public abstract Task<JsonElement> StateAsync(string? at, CancellationToken ct);

    /// <summary>GET /v1/mesh/diff?from=&amp;to=</summary>
    public abstract Task<JsonElement> DiffAsync(string from, string? to, CancellationToken ct);

    /// <summary>GET /v1/mesh/timeline/{name}?to=; <see cref="CliException.NotFound"/> when the log never mentions it.</summary>
    public abstract Task<JsonElement> TimelineAsync(string name, string? to, CancellationToken ct);

    /// <summary>GET /v1/mesh/events: a JSON array.</summary>
    public abstract Task<JsonElement> EventsAsync(EventQuery query, CancellationToken ct);

    /// <summary>GET /v1/mesh/events?follow=true: each event as it comes, until <paramref name="ct"/> is cancelled.</summary>
    public abstract IAsyncEnumerable<JsonElement> FollowAsync(EventQuery query, CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}

/// <summary>A running Mesh, through its HTTP API.</summary>
internal sealed class ApiTarget : ForensicsTarget
{
    private const int MaxBody = 200;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient _http;

    private ApiTarget(HttpClient http) => _http = http;

    public Uri BaseAddress => _http.BaseAddress!;

    public override string Name => $"Mesh at {BaseAddress.GetLeftPart(UriPartial.Authority)}";

    public static ApiTarget Create(string url, string? token)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw CliException.Usage($"--api: '{url}' is not an http:// or https:// URL.");
        // No client-wide timeout: a followed stream stays open; each plain request has its own.
        var http = new HttpClient { BaseAddress = uri, Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null) http.DefaultRequestHeaders.Add("X-Mesh-Token", token);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return new ApiTarget(http);
    }

    public override Task<JsonElement> StateAsync(string? at, CancellationToken ct) => GetJsonAsync($"v1/mesh/state{Query(("at", at))}", ct);

    public override Task<JsonElement> DiffAsync(string from, string? to, CancellationToken ct) =>
        GetJsonAsync($"v1/mesh/diff{Query(("from", from), ("to", to))}", ct);

    public override Task<JsonElement> TimelineAsync(string name, string? to, CancellationToken ct) =>
        GetJsonAsync($"v1/mesh/timeline/{Uri.EscapeDataString(name)}{Query(("to", to))}", ct);

    public override Task<JsonElement> EventsAsync(EventQuery query, CancellationToken ct) => GetJsonAsync($"v1/mesh/events{EventsQuery(query, follow: false)}", ct);

    public override async IAsyncEnumerable<JsonElement> FollowAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"v1/mesh/events{EventsQuery(query, follow: true)}";
        using var response = await SendAsync(path, HttpCompletionOption.ResponseHeadersRead, RequestTimeout, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            yield return Parse(line, path);
        }
        throw CliException.Usage($"{Name} closed the event stream.");
    }

    /// <summary>GET <paramref name="path"/> and its JSON; every failure is a <see cref="CliException"/> saying what went wrong.</summary>
    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(path, HttpCompletionOption.ResponseContentRead, RequestTimeout, ct);
        var text = await ReadAsync(response, ct);
        return Parse(text, path);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, HttpCompletionOption completion, TimeSpan headersWithin, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(headersWithin);
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(path, completion, timeout.Token);
        }
        catch (HttpRequestException ex)
        {
            throw CliException.Usage(
                $"Cannot reach {Name}: {ex.Message} Is Mesh running there? Pass --api <url>, or --data <dir> to read a data directory.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw CliException.Usage($"{Name} did not answer within {headersWithin.TotalSeconds:0} s.");
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var body = (await ReadAsync(response, ct)).Trim();
            throw response.StatusCode switch
            {
                // The API's 400 says what is wrong with the question (a bad time, a missing parameter).
                HttpStatusCode.BadRequest => CliException.Usage(body),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => CliException.Usage(
                    $"{Name} refused the request ({(int)response.StatusCode}): {Cut(body)} Pass the API token with --token or MESH__API__TOKEN."),
                // A 404 with a reason is Mesh's "nothing of that name"; without one, the URL is not a Mesh API.
                HttpStatusCode.NotFound when body.Length > 0 => CliException.NotFound(body),
                _ => CliException.Usage($"{Name} answered {(int)response.StatusCode} {response.ReasonPhrase} to GET /{path}: {Cut(body)} Is it a Mesh API?"),
            };
        }
    }

    private JsonElement Parse(string text, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw CliException.Usage($"{Name} did not answer GET /{path} with JSON ({Cut(text)}); is it a Mesh API?");
        }
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException ex)
        {
            throw CliException.Usage($"The answer from {response.RequestMessage?.RequestUri} broke off: {ex.Message}");
        }
    }

    private static string Cut(string text) => text.Length <= MaxBody ? text : text[..MaxBody] + "…";

    private static string EventsQuery(EventQuery q, bool follow) => Query(
        ("since", q.Since), ("type", q.Type), ("service", q.Service),
        ("limit", q.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("follow", follow ? "true" : null));

    private static string Query(params (string Key, string? Value)[] parameters)
    {
        var set = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return set.Count == 0 ? "" : "?" + string.Join("&", set);
    }

    public override ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A data directory, its <c>mesh.db</c> opened read-only (<see cref="SqliteEventReader"/>: no lock, nothing written,
/// so a Mesh may be running on it) and answered with the same projections code the API uses.
/// </summary>
internal sealed class DataTarget : ForensicsTarget
{
    private DataTarget(string directory, SqliteEventReader store)
    {
        Directory = directory;
        Store = store;
        History = new RegistryHistory(store, store);
    }

    public string Directory { get; }

    public SqliteEventReader Store { get; }

    public RegistryHistory History { get; }

    public override string Name => $"data directory {Directory}";

    public static DataTarget Open(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full)) throw CliException.Usage($"--data: the directory '{full}' does not exist.");
        var db = Path.Combine(full, "mesh.db");
        if (!File.Exists(db)) throw CliException.Usage($"--data: '{full}' holds no Mesh event store (no mesh.db); is it Mesh:DataDir?");
        try
        {
            return new DataTarget(full, SqliteEventReader.Open(db));
        }
        catch (InvalidDataException ex)
        {
            throw CliException.Usage($"--data: {ex.Message}");
        }
    }

    private async Task<ForensicsJson.Point> PointAsync(string? text, CancellationToken ct)
    {
        string? problem = null;
        return await ForensicsJson.ResolveAsync(text, Store, DateTimeOffset.UtcNow, e => problem = e, ct) ?? throw CliException.Usage(problem!);
    }

    public override async Task<JsonElement> StateAsync(string? at, CancellationToken ct)
    {
        var point = await PointAsync(at, ct);
        return ForensicsJson.State(point, await History.StateAtAsync(point.Position, ct));
    }

    public override async Task<JsonElement> DiffAsync(string from, string? to, CancellationToken ct)
    {
        var start = await PointAsync(from, ct);
        var end = await PointAsync(to, ct);
        var diff = RegistryDiff.Between(await History.StateAtAsync(start.Position, ct), await History.StateAtAsync(end.Position, ct));
        return ForensicsJson.Diff(start, end, diff);
    }

    public override async Task<JsonElement> TimelineAsync(string name, string? to, CancellationToken ct)
    {
        var end = await PointAsync(to, ct);
        var timeline = await Timeline.OfAsync(Store.ReadAllAsync(1, (int)Math.Min(end.Position, int.MaxValue), ct), name, null, ct);
        return timeline.Entries.IsEmpty
            ? throw CliException.NotFound($"no service or instance '{name}' in the log up to position {end.Position}")
            : ForensicsJson.Timeline(timeline);
    }

    public override async Task<JsonElement> EventsAsync(EventQuery query, CancellationToken ct)
    {
        var (start, types, services) = await StartAsync(query, ct);
        var max = Math.Clamp(query.Limit ?? EventsVerb.DefaultLimit, 1, EventsVerb.MaxLimit);
        var list = new List<ForensicsJson.EventDto>();
        await foreach (var e in Store.ReadAllAsync(start + 1, int.MaxValue, ct))
        {
            if (ForensicsJson.Select(e, types, query.Service, services) is { } dto) list.Add(dto);
            if (list.Count >= max) break;
        }
        return ForensicsJson.Events(list);
    }

    public override async IAsyncEnumerable<JsonElement> FollowAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        var (start, types, services) = await StartAsync(query, ct);
        await foreach (var e in Store.SubscribeAllAsync(start + 1, ct))
            if (ForensicsJson.Select(e, types, query.Service, services) is { } dto) yield return ForensicsJson.Event(dto);
    }

    // Which service an instance's event belongs to: the registry just before, then every registration seen.
    private async Task<(long Start, HashSet<string>? Types, Dictionary<string, string> Services)> StartAsync(EventQuery query, CancellationToken ct)
    {
        var start = await PointAsync(string.IsNullOrWhiteSpace(query.Since) ? "0" : query.Since, ct);
        var types = string.IsNullOrWhiteSpace(query.Type)
            ? null
            : query.Type.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var services = ForensicsJson.ServicesOf(await History.StateAtAsync(start.Position, ct));
        return (start.Position, types, services);
    }

    public override ValueTask DisposeAsync() => Store.DisposeAsync();
}
