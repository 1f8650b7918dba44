namespace Mesh.Host.Configuration;

/// <summary>
/// Checks the configuration before anything starts. Every problem names its key, and all are reported together,
/// so an operator fixes them in one go.
/// </summary>
internal static class ConfigurationValidator
{
    public static IReadOnlyList<string> Validate(MeshOptions mesh, ApiOptions api)
    {
        var errors = new List<string>();
        if (!MeshOptions.Roles.Contains(mesh.Role))
            errors.Add($"Mesh:Role: '{mesh.Role}' is not one of {string.Join(", ", MeshOptions.Roles)}");
        else if (mesh.Role != "all")
            errors.Add($"Mesh:Role: '{mesh.Role}' is not available yet; only 'all' runs in this version");
        if (string.IsNullOrWhiteSpace(mesh.DataDir))
            errors.Add("Mesh:DataDir: must name a directory");
        if (!Uri.TryCreate(api.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            errors.Add($"Mesh:Api:Url: '{api.Url}' is not an http(s) URL such as http://127.0.0.1:8500");
        if (api.Token is { Length: 0 })
            errors.Add("Mesh:Api:Token: is empty; remove it to run without a token");
        return errors;
    }
}
