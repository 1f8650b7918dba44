namespace Mesh.Host.Api.Consul.Dto;

/// <summary>Consul's <c>HealthCheck</c>: the elements of an entry's <c>Checks</c> and of <c>/v1/health/state/{state}</c>.</summary>
internal sealed record HealthCheckDto(
    string Node,
    string CheckID,
    string Name,
    string Status,
    string Notes,
    string Output,
    string ServiceID,
    string ServiceName,
    IReadOnlyList<string> ServiceTags,
    string Type,
    string Interval,
    string Timeout,
    long CreateIndex,
    long ModifyIndex,
    string Namespace);
