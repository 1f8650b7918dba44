using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.EndToEnd.Tests.Common;
using Xunit;

namespace Mesh.EndToEnd.Tests;

/// <summary>An acknowledged registration is durable: it survives <c>kill -9</c> of the process.</summary>
public sealed class CrashRecoveryTests
{
    private const int Registrations = 1_000;
    private const int KillAfterAcknowledged = 300;
    private const string Service = "crash";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Registrations_ProcessKilledWithSigkillPartWay_EveryRegistrationThatAnswered200IsThereAfterRestart()
    {
        using var dir = new TempDirectory();
        var acknowledged = new ConcurrentBag<string>();
        string firstRun;
        await using (var mesh = await MeshProcess.StartHealthyAsync(dir.Path, Ct))
        {
            var killed = 0;
            await Parallel.ForEachAsync(
                Enumerable.Range(0, Registrations),
                new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct },
                async (i, ct) =>
                {
                    var id = $"{Service}-{i:D4}";
                    try
                    {
                        using var response = await mesh.Client.RegisterAsync(Registration(id, i), ct);
                        if (response.StatusCode != HttpStatusCode.OK) return;
                        acknowledged.Add(id);
                        if (acknowledged.Count >= KillAfterAcknowledged && Interlocked.Exchange(ref killed, 1) == 0)
                            await mesh.KillAsync();
                    }
                    catch (HttpRequestException)
                    {
                        // Refused or reset: the process is gone, so this one was never acknowledged.
                    }
                });
            firstRun = mesh.Describe();
        }
        Assert.True(acknowledged.Count >= KillAfterAcknowledged, $"only {acknowledged.Count} registrations answered 200 before the kill{firstRun}");
        Assert.True(acknowledged.Count < Registrations, "the process was not killed part way");

        await using var restarted = await MeshProcess.StartHealthyAsync(dir.Path, Ct);
        var present = await restarted.Client.CatalogServiceIdsAsync(Service, Ct);

        var lost = acknowledged.Where(id => !present.Contains(id)).Order(StringComparer.Ordinal).ToList();
        Assert.True(lost.Count == 0,
            $"{lost.Count} of {acknowledged.Count} acknowledged registrations are missing after restart: {string.Join(", ", lost.Take(20))}{restarted.Describe()}");
    }

    private static JsonObject Registration(string id, int i) => new()
    {
        ["ID"] = id,
        ["Name"] = Service,
        ["Address"] = $"10.0.{i / 250}.{i % 250 + 1}",
        ["Port"] = 8080,
        ["Tags"] = new JsonArray("crash-test"),
    };
}
