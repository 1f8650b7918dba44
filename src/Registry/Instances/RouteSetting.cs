namespace Mesh.Registry.Instances;

/// <summary>
/// One route setting as a source found it: where it came from, as problems name it (<c>label mesh.route.path</c>,
/// <c>Meta 'mesh-route-path'</c>), and its text; null, empty or blank is not set.
/// </summary>
public readonly record struct RouteSetting(string Origin, string? Value)
{
    public bool IsSet => !string.IsNullOrWhiteSpace(Value);
}
