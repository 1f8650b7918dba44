using static Mesh.Host.Api.Consul.Agent.AgentMethods;
using Mesh.Projections.Feed;
using Mesh.Registry.Instances;

namespace Mesh.Host.Api.Consul.Agent;

/// <summary>
/// <c>PUT /v1/agent/service/register</c>, <c>/deregister/{id}</c> and <c>/maintenance/{id}</c>. A request that is
/// wrong in any way is answered 4xx with every problem and appends nothing; <c>ObservationRejected</c> is for
/// what sources send, not for a caller who has its answer.
/// </summary>
internal static partial class ServiceEndpoints
{
    private const string DefaultMaintenanceReason =
        "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.";

    public static RouteGroupBuilder MapServiceEndpoints(this RouteGroupBuilder agent)
    {
        agent.MapPut("/service/register", RegisterAsync);
        agent.MapMethods("/service/deregister/{id}", PutOrLegacyGet, DeregisterAsync);
        agent.MapMethods("/service/maintenance/{id}", PutOrLegacyGet, MaintenanceAsync);
        return agent;
    }

    // Registration replaces the instance's whole definition, checks included: Consul's replace-existing-checks is
    // therefore always in effect, and re-sending an unchanged definition appends nothing.
    private static async Task<IResult> RegisterAsync(
        HttpContext http, ConsulAgent agent, RegistryFeed feed, ApiObservations observations, ILoggerFactory loggers,
        CancellationToken ct)
    {
        string body;
        using (var reader = new StreamReader(http.Request.Body))
            body = await reader.ReadToEndAsync(ct);

        var (seen, errors) = ServiceRegistrationParser.Parse(body, agent.NodeName, agent.Address);
        var problems = errors.ToList();
        if (seen is not null)
        {
            problems.AddRange(InstanceValidation.Validate(seen));
            problems.AddRange(RegistrationConflicts.Find(feed.Current, seen));
        }
        if (problems.Count > 0 || seen is null) return ConsulResults.Invalid("Invalid service registration", problems);

        var result = await observations.SendAsync(seen with { Metadata = observations.Metadata(http, body) }, ct);
        if (result.IsRejected) return ConsulResults.BadRequest($"Invalid service registration: {result.Error}");
        if (result.EventCount > 0) Log.Registered(loggers.CreateLogger(typeof(ServiceEndpoints)), seen.InstanceId, seen.Service);
        return Results.Ok();
    }

    private static async Task<IResult> DeregisterAsync(
        string id, HttpContext http, RegistryFeed feed, ApiObservations observations, ILoggerFactory loggers, CancellationToken ct)
    {
        // Consul ignores an unknown id; Mesh answers 404 so that a typo does not pass for a deregistration.
        if (ConsulServiceIds.Resolve(feed.Current, id) is not { } instanceId) return UnknownService(id);
        var result = await observations.SendAsync(
            new InstanceGone(instanceId, ConsulServiceIds.Source, "api") { Metadata = observations.Metadata(http) }, ct);
        if (result.IsRejected) return UnknownService(id);
        Log.Deregistered(loggers.CreateLogger(typeof(ServiceEndpoints)), instanceId);
        return Results.Ok();
    }

    private static async Task<IResult> MaintenanceAsync(
        string id, HttpContext http, RegistryFeed feed, ApiObservations observations, CancellationToken ct)
    {
        var enableText = http.Request.Query["enable"].LastOrDefault();
        if (string.IsNullOrEmpty(enableText)) return ConsulResults.BadRequest("Missing value for enable (true or false)");
        if (ConsulQuery.ParseBool(enableText) is not { } enable)
            return ConsulResults.BadRequest($"Invalid value for enable: '{enableText}' is not true or false");
        if (ConsulServiceIds.Resolve(feed.Current, id) is not { } instanceId) return UnknownService(id);

        var reason = http.Request.Query["reason"].LastOrDefault();
        var requested = new MaintenanceRequested(
            instanceId, ConsulServiceIds.Source, enable, enable && string.IsNullOrEmpty(reason) ? DefaultMaintenanceReason : reason ?? "")
        {
            Metadata = observations.Metadata(http),
        };
        var result = await observations.SendAsync(requested, ct);
        return result.IsRejected ? UnknownService(id) : Results.Ok();
    }

    private static IResult UnknownService(string id) => ConsulResults.NotFound($"Unknown service ID '{id}'");

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Registered instance '{InstanceId}' of service '{Service}' through the API")]
        public static partial void Registered(ILogger logger, string instanceId, string service);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Deregistered instance '{InstanceId}' through the API")]
        public static partial void Deregistered(ILogger logger, string instanceId);
    }
}
