using Mesh.Registry.Store;
using Mesh.Registry.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.EndToEnd.Tests.Common;

/// <summary>The event log a Mesh process left in its data directory, read once the process has stopped (one process per store).</summary>
internal static class EventLog
{
    public static async Task<IReadOnlyList<RecordedEvent>> ReadAsync(string dataDir, CancellationToken ct)
    {
        var events = new List<RecordedEvent>();
        await using (var store = new SqliteEventStore(
            Options.Create(new SqliteStoreOptions { Path = Path.Combine(dataDir, "mesh.db") }), NullLogger<SqliteEventStore>.Instance))
        {
            await foreach (var e in store.ReadAllAsync(1, int.MaxValue, ct)) events.Add(e);
        }
        SqliteConnection.ClearAllPools();
        return events;
    }

    /// <summary>The events of one instance's stream, in order.</summary>
    public static IReadOnlyList<RecordedEvent> Of(this IReadOnlyList<RecordedEvent> log, string instanceId) =>
        log.Where(e => e.Stream == StreamName.ForInstance(instanceId)).ToArray();
}
