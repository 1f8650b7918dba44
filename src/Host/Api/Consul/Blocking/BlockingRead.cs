using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Mesh.Projections.Feed;
using Mesh.Projections.State;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Mesh.Host.Api.Consul.Blocking;

/// <summary>
/// Serves a read as Consul does, blocking or not. <c>X-Consul-Index</c> is the store position of the last event
/// that changed this result (its <c>indexOf</c>, at least 1). A blocking read returns as soon as that index differs
/// from the one asked for — it moved on, or went back because the store was replaced, and the client resets — or
/// when the wait is over, with the current result either way. Events that do not move the index (another service
/// changing) wake the wait, which re-reads the index and goes back to waiting.
/// </summary>
internal static class BlockingRead
{
    /// <param name="render">The result for a state; null answers 404 with <paramref name="notFound"/>.</param>
    /// <param name="contentHash">Also answer <c>X-Consul-ContentHash</c> and block on <c>?hash=</c>.</param>
    public static async Task<IResult> ServeAsync(
        HttpContext http,
        Func<RegistryState, long> indexOf,
        Func<RegistryState, object?> render,
        string? notFound = null,
        bool contentHash = false)
    {
        var (query, error) = BlockingQuery.Parse(http.Request.Query);
        if (query is null) return ConsulResults.BadRequest(error!);

        var services = http.RequestServices;
        var feed = services.GetRequiredService<RegistryFeed>();
        var clock = services.GetRequiredService<TimeProvider>();
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var ct = http.RequestAborted;

        var state = feed.Current;
        var started = clock.GetTimestamp();
        var wait = query.WaitWithJitter();
        TimeSpan Remaining() => wait - clock.GetElapsedTime(started);

        // By index the result is rendered once, at the end: waking on another service's change costs one lookup.
        if (query.MinIndex > 0)
        {
            while (Index(indexOf, state) == query.MinIndex && Remaining() is var remaining && remaining > TimeSpan.Zero)
                state = await feed.WaitForNewerAsync(state.Position, remaining, ct);
        }
        var result = render(state);
        if (query.MinIndex == 0 && !string.IsNullOrEmpty(query.Hash))
        {
            while (HashOf(result) == query.Hash && Remaining() is var remaining && remaining > TimeSpan.Zero)
            {
                state = await feed.WaitForNewerAsync(state.Position, remaining, ct);
                result = render(state);
            }
        }

        var headers = http.Response.Headers;
        headers["X-Consul-Index"] = Index(indexOf, state).ToString(CultureInfo.InvariantCulture);
        headers["X-Consul-KnownLeader"] = "true";
        headers["X-Consul-LastContact"] = "0";
        if (contentHash && result is not null) headers["X-Consul-ContentHash"] = HashOf(result);
        return result is null ? ConsulResults.NotFound(notFound ?? "Not found") : Results.Json(result, json);

        string HashOf(object? r) => r is null ? "" : Hash(r, json);
    }

    private static long Index(Func<RegistryState, long> indexOf, RegistryState state) => Math.Max(1, indexOf(state));

    /// <summary>An opaque content hash, as Consul's: clients only compare it for equality.</summary>
    private static string Hash(object result, JsonSerializerOptions json) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(result, result.GetType(), json)))[..16];
}
