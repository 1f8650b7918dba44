using System.Globalization;
using Mesh.Registry.Events;
using Mesh.Registry.Store;
using Mesh.Registry.Store.Postgres;

// Usage: Mesh.Registry.AppendWorker <connection string> <worker name> <writers> <appends per writer> <shared streams>
//
// Opens the PostgreSQL store, prints "ready", waits for a line on stdin (so that several workers start appending
// together), then runs <writers> concurrent loops of <appends per writer> single-event appends: even ones to a
// stream of their own (expected: no stream), odd ones to one of <shared streams> streams every worker contends on
// (expected: the version last seen, retried with the version a conflict reports). Each event's output is
// "<worker name>/<writer>/<i>". Prints "done <count>" and exits 0; on failure prints the error and exits 1.
if (args.Length != 5)
{
    await Console.Error.WriteLineAsync("usage: Mesh.Registry.AppendWorker <connection string> <worker name> <writers> <appends per writer> <shared streams>");
    return 2;
}
var connectionString = args[0];
var name = args[1];
var writers = int.Parse(args[2], CultureInfo.InvariantCulture);
var perWriter = int.Parse(args[3], CultureInfo.InvariantCulture);
var sharedStreams = int.Parse(args[4], CultureInfo.InvariantCulture);

try
{
    await using var store = await PostgresEventStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString });
    Console.WriteLine("ready");
    if (await Console.In.ReadLineAsync() is null) return 3;

    var appended = 0;
    await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < perWriter; i++)
        {
            var output = $"{name}/{w}/{i}";
            if (i % 2 == 0)
            {
                var own = StreamName.ForInstance($"{name}-{w}-{i}");
                await store.AppendAsync(own, ExpectedVersion.NoStream, [Health(own, output)]);
            }
            else
            {
                var shared = StreamName.ForInstance($"shared-{i % sharedStreams}");
                var expected = seen.GetValueOrDefault(shared.Value, -1);
                while (true)
                {
                    try
                    {
                        var result = await store.AppendAsync(shared, ExpectedVersion.After(expected), [Health(shared, output)]);
                        seen[shared.Value] = result.StreamVersion;
                        break;
                    }
                    catch (WrongExpectedVersionException ex)
                    {
                        expected = ex.ActualVersion;
                    }
                }
            }
            Interlocked.Increment(ref appended);
        }
    })));
    Console.WriteLine($"done {appended}");
    return 0;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync(ex.ToString());
    return 1;
}

static EventData Health(StreamName stream, string output) =>
    new(new InstanceHealthChanged(stream.Value["instance-".Length..], "check", HealthStatus.Passing, output));
