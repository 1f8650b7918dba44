using Mesh.Registry.Store.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Bench.Workloads;

internal static class BenchStore
{
    public static SqliteEventStore Open(string path) =>
        new(Options.Create(new SqliteStoreOptions { Path = path }), NullLogger<SqliteEventStore>.Instance);

    /// <summary>A fresh directory under the temp dir; deleted by the caller.</summary>
    public static string FreshDirectory(string name) => Directory.CreateTempSubdirectory($"mesh-bench-{name}-").FullName;
}
