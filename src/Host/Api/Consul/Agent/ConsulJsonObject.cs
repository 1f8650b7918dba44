using Mesh.Registry.Formats;
using System.Collections.Immutable;
using System.Text.Json;

namespace Mesh.Host.Api.Consul.Agent;

/// <summary>
/// Reads the fields of one JSON object the way Consul decodes a request body: field names match regardless of case
/// and of underscores, so <c>DeregisterCriticalServiceAfter</c>, <c>deregister_critical_service_after</c> and
/// <c>deregistercriticalserviceafter</c> are the same field. A value of the wrong type is recorded as a problem
/// (named by <paramref name="path"/> and the field's Consul name) and read as absent, so that every problem of one
/// request is reported together.
/// </summary>
internal sealed class ConsulJsonObject
{
    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    private readonly List<string> _errors;
    private readonly string _path;

    public ConsulJsonObject(JsonElement element, string path, List<string> errors)
    {
        _path = path;
        _errors = errors;
        foreach (var property in element.EnumerateObject())
            _fields[Normalize(property.Name)] = property.Value;
    }

    /// <summary>Where this object sits in the request, e.g. <c>Checks[1]</c>; empty for the body itself.</summary>
    public string Path => _path;

    public bool IsEmpty => _fields.Count == 0;

    /// <summary>True when the field is present with a value other than null.</summary>
    public bool Has(string field) => TryGet(field, out _);

    public string? String(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        Fail(field, "must be a string");
        return null;
    }

    public int? Int(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)) return number;
        Fail(field, $"must be an integer, not {value.GetRawText()}");
        return null;
    }

    public bool? Bool(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Fail(field, $"must be true or false, not {value.GetRawText()}");
        return null;
    }

    /// <summary>A Consul duration: a string such as "10s" or "1m30s", or (as Consul also accepts) a number of nanoseconds.</summary>
    public TimeSpan? Duration(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString();
            if (string.IsNullOrEmpty(text)) return null;
            if (GoDuration.TryParse(text, out var parsed) && parsed >= TimeSpan.Zero) return parsed;
            Fail(field, $"'{text}' is not a duration such as 10s, 1m30s, 90m or 500ms");
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var nanos) && nanos >= 0)
            return TimeSpan.FromTicks(nanos / 100);
        Fail(field, $"{value.GetRawText()} is not a duration such as 10s, 1m30s, 90m or 500ms");
        return null;
    }

    public ImmutableArray<string>? Strings(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            Fail(field, "must be an array of strings");
            return null;
        }
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                Fail(field, $"must be an array of strings, and {item.GetRawText()} is not a string");
                return null;
            }
            builder.Add(item.GetString()!);
        }
        return builder.ToImmutable();
    }

    public ImmutableSortedDictionary<string, string>? StringMap(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Object)
        {
            Fail(field, "must be an object of strings");
            return null;
        }
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                Fail(field, $"value of '{property.Name}' must be a string");
                return null;
            }
            builder[property.Name] = property.Value.GetString()!;
        }
        return builder.ToImmutable();
    }

    /// <summary>A nested object; null when absent, null or not an object (the last is a problem).</summary>
    public ConsulJsonObject? Object(string field, string path)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Object) return new ConsulJsonObject(value, path, _errors);
        Fail(field, "must be an object");
        return null;
    }

    /// <summary>An array of objects; each element is named <c>{field}[i]</c> in problems.</summary>
    public IReadOnlyList<ConsulJsonObject>? Objects(string field)
    {
        if (!TryGet(field, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            Fail(field, "must be an array of objects");
            return null;
        }
        var items = new List<ConsulJsonObject>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"{Qualify(field)}[{index++}]";
            if (item.ValueKind == JsonValueKind.Object) items.Add(new ConsulJsonObject(item, path, _errors));
            else _errors.Add($"{path} must be an object");
        }
        return items;
    }

    /// <summary>The field's name as a problem message shows it, e.g. <c>Checks[1].Interval</c>.</summary>
    public string Qualify(string field) => _path.Length == 0 ? field : $"{_path}.{field}";

    private bool TryGet(string field, out JsonElement value) =>
        _fields.TryGetValue(Normalize(field), out value) && value.ValueKind != JsonValueKind.Null;

    private void Fail(string field, string message) => _errors.Add($"{Qualify(field)} {message}");

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
