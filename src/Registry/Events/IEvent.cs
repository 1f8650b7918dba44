namespace Mesh.Registry.Events;

/// <summary>A fact recorded in the log. Implementations are immutable records named in the past tense.</summary>
public interface IEvent;

/// <summary>An event about one instance; it lives in the stream <c>instance-{InstanceId}</c>.</summary>
public interface IInstanceEvent : IEvent
{
    string InstanceId { get; }
}
