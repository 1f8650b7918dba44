using Npgsql;

namespace Mesh.Registry.Store.Postgres;

/// <summary>
/// The PostgreSQL store's tables, created and migrated by Mesh itself when a store first touches the database.
/// Each migration runs once, in order, recorded in <c>schema_version</c>; the whole check-and-migrate runs in one
/// transaction under an advisory lock, so several Mesh processes starting at once migrate it exactly once (without
/// the lock, two concurrent <c>CREATE TABLE IF NOT EXISTS</c> can still collide in the catalog).
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The advisory lock (transaction-scoped, per database) held while the schema is checked and migrated.</summary>
    public const long MigrationLock = 0x4D45_5348_0000_0001; // "MESH", 1

    /// <summary>The advisory lock (transaction-scoped, per database) held while an append assigns and commits positions.</summary>
    public const long AppendLock = 0x4D45_5348_0000_0002; // "MESH", 2

    /// <summary>The LISTEN/NOTIFY channel an append notifies on commit; the payload is the new head position.</summary>
    public const string Channel = "mesh_events";

    /// <summary>Migrations by version, from 1; never edited once released, only appended to.</summary>
    private static readonly string[] Migrations =
    [
        // 1: the log and the snapshot archive.
        """
        CREATE TABLE IF NOT EXISTS events (
            position    bigint      PRIMARY KEY,
            stream      text        NOT NULL,
            version     bigint      NOT NULL,
            type        text        NOT NULL,
            data        bytea       NOT NULL,
            metadata    bytea,
            recorded_at timestamptz NOT NULL,
            CONSTRAINT events_stream_version UNIQUE (stream, version)
        );
        CREATE INDEX IF NOT EXISTS events_recorded_at ON events (recorded_at, position);
        CREATE TABLE IF NOT EXISTS snapshots (
            position bigint PRIMARY KEY,
            state    bytea  NOT NULL
        );
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    /// <summary>Brings the schema to <see cref="LatestVersion"/>; returns the version it found (0: none).</summary>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})", ct).ConfigureAwait(false);
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    integer     PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, ct).ConfigureAwait(false);
        int found;
        await using (var current = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", connection))
            found = (int)(await current.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        if (found > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The event store's schema is at version {found}, newer than this Mesh knows ({LatestVersion}): a newer Mesh migrated it. Upgrade this Mesh.");
        }
        for (var version = found + 1; version <= LatestVersion; version++)
        {
            await ExecuteAsync(connection, Migrations[version - 1], ct).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES ($1)", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return found;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
