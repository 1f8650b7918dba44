using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using Mesh.Projections.State;
using Mesh.Registry.Events;
using Mesh.Registry.Instances;

namespace Mesh.Projections.Snapshots;

/// <summary>
/// Reads what <see cref="SnapshotWriter"/> wrote, from the whole payload in memory (a cursor over a byte array reads
/// several times faster than a stream); throws <see cref="InvalidDataException"/> or <see cref="EndOfStreamException"/>
/// on anything else.
/// </summary>
internal sealed class SnapshotReader(byte[] payload, int length) : IDisposable
{
    // Pooled: a large registry's string table and payload would otherwise be large-object allocations on every read.
    private string[] _strings = ArrayPool<string>.Shared.Rent(Math.Max(16, length / 32));
    private int _stringCount;
    private int _at;

    public RegistryState ReadState()
    {
        var position = Long();
        var catalog = Long();
        var health = Long();
        var instances = Map(Instance);
        var services = Map(() => new ServiceEntry(StringSet(), Long()));
        var environments = Map(RequiredString);
        var checkOwners = Map(RequiredString);
        if (_at != length) throw new InvalidDataException("bytes follow the state");
        return new RegistryState(position, instances, services, environments, checkOwners, catalog, health);
    }

    private InstanceState Instance()
    {
        var id = RequiredString();
        var version = Long();
        var registration = Bool() ? Registration() : null;
        var checks = Map(() =>
        {
            var index = Int();
            var spec = index < 0 ? CheckSpec()
                : registration is not null && index < registration.Checks.Length ? registration.Checks[index]
                : throw new InvalidDataException($"check spec {index} is not in the registration");
            return new CheckState(spec, Enum<HealthStatus>(), RequiredString(), Time());
        });
        return new InstanceState(id, version, registration, checks, String(), StringSet(), Long(), Long());
    }

    private InstanceRegistered Registration()
    {
        var (id, service, env, address, port) = (RequiredString(), RequiredString(), RequiredString(), RequiredString(), Int());
        var tags = Array(RequiredString);
        var meta = Map(RequiredString);
        var routes = Array(() => new RouteSpec(RequiredString(), RequiredString(), Bool(), Bool(), Duration()));
        var (version, source, node) = (String(), RequiredString(), RequiredString());
        return new InstanceRegistered(id, service, env, address, port, tags, meta, routes, version, source, node, Array(CheckSpec));
    }

    private CheckSpec CheckSpec() => new(
        RequiredString(),
        RequiredString(),
        Enum<CheckKind>(),
        RequiredString(),
        TimeSpan.FromTicks(Long()),
        TimeSpan.FromTicks(Long()),
        Duration(),
        Enum<HealthStatus>(),
        RequiredString(),
        Bool());

    // Written in key order, so each Add lands at the right end of the tree. Most maps of an instance hold one or two entries.
    private ImmutableSortedDictionary<string, T> Map<T>(Func<T> value)
    {
        var count = Count();
        if (count <= 2)
        {
            var small = OrdinalMap<T>.Empty;
            for (var i = 0; i < count; i++) small = small.Add(RequiredString(), value());
            return small;
        }
        var builder = ImmutableSortedDictionary.CreateBuilder<string, T>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++) builder.Add(RequiredString(), value());
        return builder.ToImmutable();
    }

    private ImmutableArray<T> Array<T>(Func<T> item)
    {
        var builder = ImmutableArray.CreateBuilder<T>(Count());
        for (var i = 0; i < builder.Capacity; i++) builder.Add(item());
        return builder.MoveToImmutable();
    }

    private ImmutableSortedSet<string> StringSet()
    {
        var count = Count();
        if (count == 0) return [];
        var builder = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++) builder.Add(RequiredString());
        return builder.ToImmutable();
    }

    private string RequiredString() => String() ?? throw new InvalidDataException("a required string is null");

    private string? String()
    {
        var slot = Int();
        switch (slot)
        {
            case SnapshotWriter.NullString:
                return null;
            case SnapshotWriter.InlineString:
                // BinaryWriter.Write(string): the UTF-8 byte count as a plain 7-bit varint, then the bytes.
                var bytes = (ulong)Varint();
                if (bytes > (ulong)(length - _at)) throw new EndOfStreamException();
                var s = Encoding.UTF8.GetString(payload, _at, (int)bytes);
                _at += (int)bytes;
                if (_stringCount == _strings.Length)
                {
                    var larger = ArrayPool<string>.Shared.Rent(_strings.Length * 2);
                    _strings.AsSpan(0, _stringCount).CopyTo(larger);
                    ReturnStrings();
                    _strings = larger;
                }
                _strings[_stringCount++] = s;
                return s;
            default:
                var index = slot - SnapshotWriter.FirstReference;
                return (uint)index < (uint)_stringCount ? _strings[index] : throw new InvalidDataException($"string reference {index} is not defined");
        }
    }

    private DateTimeOffset Time()
    {
        var ticks = Long();
        var offset = TimeSpan.FromMinutes(Int());
        if (ticks is < 0 || ticks > DateTime.MaxValue.Ticks || offset.Duration() > TimeSpan.FromHours(14)) throw new InvalidDataException("a time is out of range");
        return new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(offset);
    }

    private TimeSpan? Duration() => Bool() ? TimeSpan.FromTicks(Long()) : null;

    private T Enum<T>() where T : struct, Enum
    {
        var value = Byte();
        var result = (T)(object)(int)value;
        return System.Enum.IsDefined(result) ? result : throw new InvalidDataException($"{value} is not a {typeof(T).Name}");
    }

    private int Count()
    {
        var count = Int();
        return count >= 0 ? count : throw new InvalidDataException($"a negative count {count}");
    }

    // Zig-zag decoded (see SnapshotWriter).
    private long Long()
    {
        var zigzag = Varint();
        return (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
    }

    // A 7-bit varint, as BinaryWriter.Write7BitEncodedInt64 writes it.
    private ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 63) throw new InvalidDataException("a number is longer than 64 bits");
            var b = Byte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    private int Int() => checked((int)Long());

    private bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw new InvalidDataException($"{b} is not a boolean"),
    };

    private byte Byte() => _at < length ? payload[_at++] : throw new EndOfStreamException();

    private void ReturnStrings()
    {
        _strings.AsSpan(0, _stringCount).Clear();
        ArrayPool<string>.Shared.Return(_strings);
    }

    public void Dispose() => ReturnStrings();

    private static class OrdinalMap<T>
    {
        public static readonly ImmutableSortedDictionary<string, T> Empty = ImmutableSortedDictionary.Create<string, T>(StringComparer.Ordinal);
    }
}
