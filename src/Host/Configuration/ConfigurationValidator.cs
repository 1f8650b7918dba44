namespace Mesh.Host.Configuration;

/// <summary>
/// Checks the configuration before anything starts. Every problem names its key, and all are reported together,
/// so an operator fixes them in one go.
/// </summary>
internal static class ConfigurationValidator
{
    public static IReadOnlyList<string> Validate(MeshOptions mesh, ApiOptions api, IConfiguration configuration)
    {
        var errors = new List<string>();
        if (!MeshOptions.Roles.Contains(mesh.Role))
        {
            errors.Add($"Mesh:Role: '{mesh.Role}' is not one of {string.Join(", ", MeshOptions.Roles)}");
        }
        else if (mesh.Role != MeshOptions.All)
        {
            // The roles of a cluster share one log and one bus: an embedded store or an in-process bus would split it.
            if (!string.Equals(configuration["Mesh:Store:Kind"], "postgres", StringComparison.OrdinalIgnoreCase))
                errors.Add($"Mesh:Store:Kind: role '{mesh.Role}' needs the shared store: set it to postgres (with Mesh:Store:ConnectionString)");
            if (!string.Equals(configuration["Mesh:Bus:Transport"], "rabbitmq", StringComparison.OrdinalIgnoreCase))
                errors.Add($"Mesh:Bus:Transport: role '{mesh.Role}' needs the shared bus: set it to rabbitmq (with Mesh:Bus:RabbitMq:Host)");
        }
        if (string.IsNullOrWhiteSpace(mesh.DataDir))
            errors.Add("Mesh:DataDir: must name a directory");
        if (!Uri.TryCreate(api.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            errors.Add($"Mesh:Api:Url: '{api.Url}' is not an http(s) URL such as http://127.0.0.1:8500");
        if (api.Token is { Length: 0 })
            errors.Add("Mesh:Api:Token: is empty; remove it to run without a token");
        return errors;
    }
}
