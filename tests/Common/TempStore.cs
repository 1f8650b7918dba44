using Mesh.Registry.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Tests.Common;

/// <summary>A real <see cref="SqliteEventStore"/> in a fresh temporary directory, removed on dispose.</summary>
internal sealed class TempStore : IAsyncDisposable
{
    private TempStore(string directory, SqliteEventStore store)
    {
        Directory = directory;
        Store = store;
    }

    public string Directory { get; }

    public SqliteEventStore Store { get; }

    public static TempStore Create(string prefix = "mesh-store-")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
        var store = new SqliteEventStore(
            Options.Create(new SqliteStoreOptions { Path = Path.Combine(directory, "mesh.db") }), NullLogger<SqliteEventStore>.Instance);
        return new TempStore(directory, store);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
