namespace Mesh.Bus.Contracts;

/// <summary>
/// Never sent: the message type of the temporary queue an agent or an edge keeps open so that MassTransit's health
/// (and <c>BusStatus</c>) reflects its connection to the broker; without a consuming endpoint, a lost connection
/// would go unnoticed until the next send.
/// </summary>
public sealed record BusProbe;
