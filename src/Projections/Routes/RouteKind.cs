namespace Mesh.Projections.Routes;

/// <summary>Where a route comes from.</summary>
public enum RouteKind
{
    /// <summary>A route declared by an instance (label, Meta or marathon-lb vhost).</summary>
    Declared,

    /// <summary><c>&lt;service&gt;.&lt;domain&gt;</c>: every service known to the registry.</summary>
    Service,

    /// <summary><c>&lt;service&gt;.&lt;env&gt;.&lt;test domain&gt;</c>: every service, seen from every environment.</summary>
    Environment,
}
