using System.Text.Json;
using Mesh.Projections.History;
using Mesh.Projections.Routes;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;
using Xunit;
using static Mesh.Projections.Tests.History.HistoryFixtures;

namespace Mesh.Projections.Tests.History;

/// <summary>Properties of <see cref="RegistryDiff"/> over random logs (seeded: a failure names its seed).</summary>
public sealed class RegistryDiffPropertyTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5, 6, 7, 8];

    private static string Json(object value) => JsonSerializer.Serialize(value, EventSerializer.Options);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Between_AStateAndItself_IsEmpty_AlsoWhenFoldedAgain(int seed)
    {
        var log = RandomLog(seed, 300);
        var states = States(log);

        for (var p = 0; p < states.Length; p++)
        {
            Assert.True(RegistryDiff.Between(states[p], states[p]).IsEmpty, $"position {p}");
            if (p % 25 == 0) Assert.True(RegistryDiff.Between(states[p], StateAt(log, p)).IsEmpty, $"position {p}, folded again");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Between_SwappedStates_SwapsAddedAndRemovedAndReversesChanges(int seed)
    {
        var states = States(RandomLog(seed, 300));
        var rng = new Random(seed);

        for (var n = 0; n < 60; n++)
        {
            var (a, b) = (states[rng.Next(states.Length)], states[rng.Next(states.Length)]);
            var forth = RegistryDiff.Between(a, b);
            var back = RegistryDiff.Between(b, a);

            Assert.Equal(Json(forth.Added), Json(back.Removed));
            Assert.Equal(Json(forth.Removed), Json(back.Added));
            Assert.Equal(Json(forth.RoutesAdded), Json(back.RoutesRemoved));
            Assert.Equal(Json(forth.RoutesRemoved), Json(back.RoutesAdded));
            Assert.Equal(forth.HealthChanged.Select(h => (h.InstanceId, h.From, h.To)), back.HealthChanged.Select(h => (h.InstanceId, h.To, h.From)));
            Assert.Equal(forth.Changed.Select(c => (c.InstanceId, string.Join(",", c.Fields))), back.Changed.Select(c => (c.InstanceId, string.Join(",", c.Fields))));
            Assert.Equal(
                forth.RoutesChanged.Select(r => (r.Host, r.PathPrefix, r.FromCluster, r.ToCluster, Json(r.FromDestinations), Json(r.ToDestinations))),
                back.RoutesChanged.Select(r => (r.Host, r.PathPrefix, r.ToCluster, r.FromCluster, Json(r.ToDestinations), Json(r.FromDestinations))));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Between_AnyTwoStates_AgreesWithThem(int seed)
    {
        var states = States(RandomLog(seed, 300));
        var rng = new Random(seed);

        for (var n = 0; n < 60; n++)
        {
            var (a, b) = (states[rng.Next(states.Length)], states[rng.Next(states.Length)]);
            AssertAgrees(RegistryDiff.Between(a, b), a, b);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomLogs_ExerciseEveryPartOfTheDiff(int seed)
    {
        var states = States(RandomLog(seed, 300));

        var diffs = states.Zip(states.Skip(1), RegistryDiff.Between).ToList();

        Assert.Contains(diffs, d => !d.Added.IsEmpty);
        Assert.Contains(diffs, d => !d.Removed.IsEmpty);
        Assert.Contains(diffs, d => !d.HealthChanged.IsEmpty);
        Assert.Contains(diffs, d => !d.Changed.IsEmpty);
        Assert.Contains(diffs, d => !d.RoutesAdded.IsEmpty);
        Assert.Contains(diffs, d => !d.RoutesChanged.IsEmpty);
    }

    /// <summary>
    /// <paramref name="diff"/> says exactly what differs between <paramref name="a"/> and <paramref name="b"/>:
    /// <paramref name="a"/>'s instances and routes with the diff applied are <paramref name="b"/>'s, every change it
    /// lists is one, and every change is listed.
    /// </summary>
    internal static void AssertAgrees(RegistryDiff diff, RegistryState a, RegistryState b)
    {
        Assert.Equal((a.Position, b.Position), (diff.From, diff.To));

        Assert.All(diff.Added, i => Assert.False(a.Instances.ContainsKey(i.InstanceId)));
        Assert.All(diff.Removed, i => Assert.False(b.Instances.ContainsKey(i.InstanceId)));
        Assert.Equal(Json(diff.Added), Json(diff.Added.Select(i => SummaryOf(b.Instances[i.InstanceId]))));
        Assert.Equal(Json(diff.Removed), Json(diff.Removed.Select(i => SummaryOf(a.Instances[i.InstanceId]))));
        var applied = a.Instances.Keys.Except(diff.Removed.Select(i => i.InstanceId)).Concat(diff.Added.Select(i => i.InstanceId));
        Assert.Equal(b.Instances.Keys, applied.Order(StringComparer.Ordinal));

        var common = a.Instances.Keys.Intersect(b.Instances.Keys).ToList();
        Assert.All(diff.HealthChanged, h => Assert.Contains(h.InstanceId, common));
        Assert.All(diff.Changed, c => Assert.Contains(c.InstanceId, common));
        foreach (var id in common)
        {
            var (before, after) = (a.Instances[id], b.Instances[id]);
            var health = diff.HealthChanged.SingleOrDefault(h => h.InstanceId == id);
            if (before.Status == after.Status) Assert.Null(health);
            else Assert.Equal(new HealthChange(id, after.Registration!.Service, Text(before.Status), Text(after.Status)), health);

            var differing = Differing(before.Registration!, after.Registration!);
            var change = diff.Changed.SingleOrDefault(c => c.InstanceId == id);
            if (differing.Count == 0) Assert.Null(change);
            else Assert.Equal(differing, change!.Fields);
        }

        var routes = Routes(a);
        foreach (var r in diff.RoutesRemoved) Assert.True(routes.Remove((r.Host, r.PathPrefix)));
        foreach (var r in diff.RoutesAdded) routes.Add((r.Host, r.PathPrefix), (r.Cluster, Json(r.Destinations)));
        foreach (var r in diff.RoutesChanged)
        {
            Assert.Equal((r.FromCluster, Json(r.FromDestinations)), routes[(r.Host, r.PathPrefix)]);
            Assert.NotEqual((r.FromCluster, Json(r.FromDestinations)), (r.ToCluster, Json(r.ToDestinations)));
            routes[(r.Host, r.PathPrefix)] = (r.ToCluster, Json(r.ToDestinations));
        }
        Assert.Equal(Routes(b).OrderBy(p => p.Key), routes.OrderBy(p => p.Key));
    }

    private static string Text(HealthStatus status) => status.ToString().ToLowerInvariant();

    private static InstanceSummary SummaryOf(InstanceState i) =>
        new(i.InstanceId, i.Registration!.Service, i.Registration.Env, i.Registration.Address, i.Registration.Port, i.Registration.Version, Text(i.Status));

    private static List<string> Differing(InstanceRegistered x, InstanceRegistered y) =>
    [
        .. new (string Field, bool Differs)[]
        {
            ("service", x.Service != y.Service),
            ("env", x.Env != y.Env),
            ("address", x.Address != y.Address),
            ("port", x.Port != y.Port),
            ("tags", !x.Tags.SequenceEqual(y.Tags)),
            ("version", x.Version != y.Version),
            ("routes", !x.Routes.SequenceEqual(y.Routes)),
        }.Where(f => f.Differs).Select(f => f.Field),
    ];

    private static Dictionary<(string Host, string Prefix), (string Cluster, string Destinations)> Routes(RegistryState state) =>
        RouteTable.Of(state, RouteTableOptions.Default).Routes.ToDictionary(
            r => (r.Host, r.PathPrefix),
            r => (r.Cluster.Id, Json(r.Cluster.Destinations.Select(d => $"{d.Address}:{d.Port}"))));
}
