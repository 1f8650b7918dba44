namespace Mesh.Host.Api.Consul.Kv;

/// <summary>Consul's KV store is out of Mesh's scope: every <c>/v1/kv/...</c> request gets a 404 that says so.</summary>
internal static class KvEndpoints
{
    public static RouteGroupBuilder MapKvEndpoints(this RouteGroupBuilder v1)
    {
        v1.Map("/kv/{**key}", () => ConsulResults.NotFound(
            "The Consul KV store (/v1/kv) is not supported by Mesh: Mesh does service discovery only. Keep KV data in a real Consul or another store."));
        return v1;
    }
}
