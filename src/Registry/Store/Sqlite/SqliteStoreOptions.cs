namespace Mesh.Registry.Store.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file; the host sets it to <c>{Mesh:DataDir}/mesh.db</c>.</summary>
    public string Path { get; set; } = System.IO.Path.Combine("data", "mesh.db");

    /// <summary>Most events written in one transaction; concurrent appends beyond it wait for the next one.</summary>
    public int MaxBatchEvents { get; set; } = 8_192;
}
