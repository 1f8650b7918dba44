namespace Mesh.Host.Api.Consul.Agent;

/// <summary>HTTP methods of the agent's write endpoints.</summary>
internal static class AgentMethods
{
    /// <summary>
    /// PUT, as Consul 1.x wants, and GET, which Consul before 1.0 took for deregister, maintenance and TTL updates
    /// and which clients of that time (python-consul 0.7, still Debian's) send. The token check treats both as writes.
    /// </summary>
    public static readonly string[] PutOrLegacyGet = [HttpMethods.Put, HttpMethods.Get];
}
