namespace Mesh.Projections.Routes;

/// <summary>
/// The names the route table generates hosts under: <c>&lt;service&gt;.&lt;Domain&gt;</c> and
/// <c>&lt;service&gt;.&lt;env&gt;.&lt;TestDomain&gt;</c> (<c>Mesh:Dns:Domain</c>, <c>Mesh:Dns:TestDomain</c>).
/// </summary>
public sealed record RouteTableOptions(string Domain = RouteTableOptions.DefaultDomain, string TestDomain = RouteTableOptions.DefaultTestDomain)
{
    public const string DefaultDomain = "mesh";
    public const string DefaultTestDomain = "test.mesh";

    public static readonly RouteTableOptions Default = new();
}
