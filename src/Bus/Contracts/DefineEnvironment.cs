using System.Text.Json;

namespace Mesh.Bus.Contracts;

/// <summary>Define environment <see cref="Name"/> with <see cref="Fallback"/>; answered with <see cref="ObservationDecided"/> when it is a request.</summary>
public sealed record DefineEnvironment(string Name, string Fallback, JsonElement Metadata);
