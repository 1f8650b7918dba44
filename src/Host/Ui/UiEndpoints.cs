using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Mesh.Host.Ui;

/// <summary>
/// The web UI at <c>/ui</c>: plain HTML, CSS and JavaScript modules (this folder), embedded in the mesh assembly as
/// <c>ui/{file}</c> resources (Mesh.Host.csproj), so the UI needs no build step, no network and no files on disk.
/// <c>/ui</c> redirects to <c>/ui/</c> (the page's relative links need the slash). The page itself is public; the
/// API calls it makes go to <c>/v1/mesh/*</c> and carry the token given as <c>?token=</c> in the page's URL.
/// </summary>
internal static class UiEndpoints
{
    private const string ResourcePrefix = "ui/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        // Module scripts are refused unless served with a JavaScript type.
        [".js"] = "text/javascript; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Only the page's own origin: nothing is fetched from elsewhere, and nothing inline runs.
    private const string ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapMeshUi(this IEndpointRouteBuilder endpoints)
    {
        var files = Load();
        // The "/ui" route also matches "/ui/"; only the slash form is the page.
        endpoints.MapGet("/ui", (HttpContext http) => http.Request.Path.Value!.EndsWith('/')
            ? Serve(http, files["index.html"])
            : Results.Redirect("/ui/" + http.Request.QueryString, permanent: false));
        endpoints.MapGet("/ui/{file}", (string file, HttpContext http) =>
            files.TryGetValue(file, out var found) ? Serve(http, found) : Results.NotFound());
        return endpoints;
    }

    private static IResult Serve(HttpContext http, UiFile file)
    {
        var headers = http.Response.Headers;
        // Revalidate every time (cheap: a 304 on the ETag), so a new mesh version's UI is never mixed with an old one.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return Results.Bytes(file.Contents, file.ContentType, entityTag: file.ETag);
    }

    private static FrozenDictionary<string, UiFile> Load()
    {
        var assembly = typeof(UiEndpoints).Assembly;
        var files = new Dictionary<string, UiFile>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var file = name[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(file), out var contentType)) continue;
            var contents = Read(assembly, name);
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(contents))[..16]}\"");
            files[file] = new UiFile(contents, contentType, etag);
        }
        if (!files.ContainsKey("index.html"))
            throw new InvalidOperationException("The web UI is not embedded in the mesh assembly (no ui/index.html resource).");
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed record UiFile(byte[] Contents, string ContentType, EntityTagHeaderValue ETag);
}
