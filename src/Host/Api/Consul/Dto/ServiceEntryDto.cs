namespace Mesh.Host.Api.Consul.Dto;

/// <summary>One element of <c>/v1/health/service/{name}</c>.</summary>
internal sealed record ServiceEntryDto(NodeDto Node, AgentServiceDto Service, IReadOnlyList<HealthCheckDto> Checks);
