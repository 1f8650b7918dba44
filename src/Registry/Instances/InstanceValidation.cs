using System.Net;
using Mesh.Registry.Events;

namespace Mesh.Registry.Instances;

/// <summary>Every reason an <see cref="InstanceSeen"/> cannot be accepted, all reported together.</summary>
public static class InstanceValidation
{
    public const int MaxInstanceIdLength = 512;

    public static IReadOnlyList<string> Validate(InstanceSeen seen)
    {
        var errors = new List<string>();
        if (ExplainId(seen.InstanceId) is { } idError) errors.Add(idError);
        if (DnsLabel.Explain("service name", seen.Service) is { } svc) errors.Add(svc);
        if (DnsLabel.Explain("environment", seen.Env) is { } env) errors.Add(env);
        else if (EnvironmentValidation.IsAlwaysReserved(seen.Env)) errors.Add($"environment '{seen.Env}' is a reserved name");
        if (seen.Port is < 0 or > 65535) errors.Add($"port {seen.Port} is outside 0-65535");
        if (string.IsNullOrWhiteSpace(seen.Address)) errors.Add("address is required");
        else if (!IsHostOrIp(seen.Address)) errors.Add($"address '{seen.Address}' is neither an IP address nor a host name");
        if (seen.Tags.IsDefault) errors.Add("tags must not be default");
        foreach (var check in seen.Checks.IsDefault ? [] : seen.Checks)
        {
            if (string.IsNullOrWhiteSpace(check.CheckId)) errors.Add("a check has no id");
            if (check.Kind != CheckKind.Ttl && check.Interval <= TimeSpan.Zero)
                errors.Add($"check '{check.CheckId}' needs a positive interval");
            if (check.Kind == CheckKind.Ttl && check.Interval <= TimeSpan.Zero)
                errors.Add($"check '{check.CheckId}' needs a positive TTL");
        }
        return errors;
    }

    public static string? ExplainId(string? id) => id switch
    {
        null or "" => "instance id is required",
        { Length: > MaxInstanceIdLength } => $"instance id is longer than {MaxInstanceIdLength} characters",
        _ when id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/') =>
            $"instance id '{id}' contains whitespace, control characters or '/'",
        _ => null,
    };

    private static bool IsHostOrIp(string address) =>
        IPAddress.TryParse(address, out _) || Uri.CheckHostName(address) == UriHostNameType.Dns;
}
