using System.Collections.Immutable;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Projections.Snapshots;

/// <summary>
/// Writes a <see cref="RegistryState"/> field by field, in the order <see cref="SnapshotReader"/> reads it. Numbers are
/// 7-bit varints; a string is written once and then referred to by its index (service, environment, node and check
/// names repeat across thousands of instances). A check's spec that equals one of its registration's is an index.
/// </summary>
internal sealed class SnapshotWriter(Stream output) : IDisposable
{
    // String slots: 0 = null, 1 = a new string follows inline, n ≥ 2 = the (n-2)th string written so far.
    internal const int NullString = 0;
    internal const int InlineString = 1;
    internal const int FirstReference = 2;

    private readonly BinaryWriter _out = new(new BufferedStream(output, 1 << 16));
    private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);

    public void Write(RegistryState state)
    {
        Long(state.Position);
        Long(state.CatalogPosition);
        Long(state.HealthPosition);
        Map(state.Instances, Instance);
        Map(state.Services, s =>
        {
            Strings(s.InstanceIds);
            Long(s.ModifyPosition);
        });
        Map(state.Environments, String);
        Map(state.CheckOwners, String);
    }

    private void Instance(InstanceState i)
    {
        String(i.InstanceId);
        Long(i.Version);
        _out.Write(i.Registration is not null);
        if (i.Registration is { } r) Registration(r);
        Map(i.Checks, c =>
        {
            var spec = i.Registration is { } reg ? reg.Checks.IndexOf(c.Spec) : -1;
            Int(spec);
            if (spec < 0) CheckSpec(c.Spec);
            _out.Write((byte)c.Status);
            String(c.Output);
            Time(c.Since);
        });
        String(i.MaintenanceReason);
        Strings(i.RejectedReasons);
        Long(i.CreatePosition);
        Long(i.ModifyPosition);
    }

    private void Registration(InstanceRegistered r)
    {
        String(r.InstanceId);
        String(r.Service);
        String(r.Env);
        String(r.Address);
        Int(r.Port);
        Strings(r.Tags);
        Map(r.Meta, String);
        Int(r.Routes.Length);
        foreach (var route in r.Routes)
        {
            String(route.Host);
            String(route.PathPrefix);
            _out.Write(route.StripPrefix);
            _out.Write(route.HttpsRedirect);
            Duration(route.Timeout);
        }
        String(r.Version);
        String(r.Source);
        String(r.Node);
        Int(r.Checks.Length);
        foreach (var check in r.Checks) CheckSpec(check);
    }

    private void CheckSpec(CheckSpec c)
    {
        String(c.CheckId);
        String(c.Name);
        _out.Write((byte)c.Kind);
        String(c.Target);
        Long(c.Interval.Ticks);
        Long(c.Timeout.Ticks);
        Duration(c.DeregisterCriticalServiceAfter);
        _out.Write((byte)c.InitialStatus);
        String(c.Method);
        _out.Write(c.TlsSkipVerify);
    }

    private void Map<T>(ImmutableSortedDictionary<string, T> map, Action<T> value)
    {
        Int(map.Count);
        foreach (var (key, item) in map)
        {
            String(key);
            value(item);
        }
    }

    private void Strings(IReadOnlyCollection<string> strings)
    {
        Int(strings.Count);
        foreach (var s in strings) String(s);
    }

    private void String(string? s)
    {
        if (s is null)
        {
            Int(NullString);
        }
        else if (_strings.TryGetValue(s, out var index))
        {
            Int(FirstReference + index);
        }
        else
        {
            Int(InlineString);
            _out.Write(s);
            _strings.Add(s, _strings.Count);
        }
    }

    private void Time(DateTimeOffset t)
    {
        Long(t.UtcTicks);
        Int((int)t.Offset.TotalMinutes);
    }

    private void Duration(TimeSpan? d)
    {
        _out.Write(d.HasValue);
        if (d is { } value) Long(value.Ticks);
    }

    // Zig-zag, so that -1 (an empty stream's version) and other small negatives stay one byte.
    private void Long(long value) => _out.Write7BitEncodedInt64((value << 1) ^ (value >> 63));

    private void Int(int value) => Long(value);

    public void Dispose() => _out.Dispose();
}
