namespace Mesh.Registry.Health;

/// <summary>One check of one instance. Check ids are only unique within their instance.</summary>
internal readonly record struct CheckKey(string InstanceId, string CheckId)
{
    public override string ToString() => $"{InstanceId}/{CheckId}";
}
