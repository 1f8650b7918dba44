using System.Collections.Immutable;
using Mesh.Registry.Events;

namespace Mesh.Projections.History;

/// <summary>
/// Which parts of a registration an operator sees change: the names <see cref="RegistrationChange.Fields"/> and
/// timeline summaries use. Meta, checks, source and node are not among them (a check's effect shows as health).
/// </summary>
internal static class RegistrationFields
{
    public const string Service = "service";
    public const string Env = "env";
    public const string Address = "address";
    public const string Port = "port";
    public const string Tags = "tags";
    public const string Version = "version";
    public const string Routes = "routes";

    public static ImmutableArray<string> Changed(InstanceRegistered from, InstanceRegistered to)
    {
        var fields = ImmutableArray.CreateBuilder<string>();
        if (from.Service != to.Service) fields.Add(Service);
        if (from.Env != to.Env) fields.Add(Env);
        if (from.Address != to.Address) fields.Add(Address);
        if (from.Port != to.Port) fields.Add(Port);
        if (!Same(from.Tags, to.Tags)) fields.Add(Tags);
        if (from.Version != to.Version) fields.Add(Version);
        if (!Same(from.Routes, to.Routes)) fields.Add(Routes);
        return fields.ToImmutable();
    }

    // Records compare immutable arrays by reference; an absent list (an old event) is an empty one.
    private static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        a.IsDefaultOrEmpty ? b.IsDefaultOrEmpty : !b.IsDefault && a.SequenceEqual(b);
}
