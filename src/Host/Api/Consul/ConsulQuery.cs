namespace Mesh.Host.Api.Consul;

/// <summary>Query-string values as Consul reads them.</summary>
internal static class ConsulQuery
{
    /// <summary>Go's strconv.ParseBool, which Consul uses: 1, t, true, 0, f, false in the usual cases.</summary>
    public static bool? ParseBool(string? value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => null,
    };

    /// <summary>
    /// A flag such as <c>?passing</c>: absent is false; bare (<c>?passing</c>, <c>?passing=</c>) is true; otherwise
    /// a boolean. Null when the value is not a boolean.
    /// </summary>
    public static bool? Flag(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values)) return false;
        var value = values.LastOrDefault();
        return string.IsNullOrEmpty(value) ? true : ParseBool(value);
    }
}
