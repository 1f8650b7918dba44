using System.Globalization;

namespace Mesh.Registry.Sources.Docker;

/// <summary>
/// Which Engine API version to speak: the lower of the engine's and the client's, never below <see cref="Minimum"/>.
/// A client asking for a version newer than the engine's is refused by the engine, so the version is negotiated
/// (<c>GET /version</c>) on every connect: the engine may have been upgraded or downgraded in between.
/// </summary>
internal static class DockerApiVersion
{
    /// <summary>Docker 20.10 (Debian's docker.io); the events, inspect and list fields Mesh reads are all there.</summary>
    public static readonly Version Minimum = new(1, 41);

    /// <summary>The Engine API that Docker.DotNet.Enhanced 4.3.3's models describe (Docker Engine 29).</summary>
    public static readonly Version Client = new(1, 52);

    /// <summary>The version to use with an engine that reports <paramref name="engineApiVersion"/>, or why there is none.</summary>
    public static bool TryNegotiate(string? engineApiVersion, out Version version, out string? error)
    {
        version = Minimum;
        if (!TryParse(engineApiVersion, out var engine))
        {
            error = $"the engine reported API version '{engineApiVersion}', which is not a version number";
            return false;
        }
        if (engine < Minimum)
        {
            error = $"the engine speaks Engine API {engine}; Mesh needs at least {Minimum} (Docker 20.10)";
            return false;
        }
        version = engine < Client ? engine : Client;
        error = null;
        return true;
    }

    private static bool TryParse(string? text, out Version version)
    {
        version = Minimum;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text.Trim().Split('.');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
            return false;
        version = new Version(major, minor);
        return true;
    }
}
