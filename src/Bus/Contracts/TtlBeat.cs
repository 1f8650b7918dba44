namespace Mesh.Bus.Contracts;

/// <summary>
/// A TTL check heard from its service: a <c>PUT /v1/agent/check/pass|warn|fail/{check id}</c> (or <c>/check/update</c>)
/// that an edge's or a registry's Consul API took at <see cref="At"/> (the sender's clock). <b>Published</b>, not sent:
/// every registry receives it on a queue of its own and records it in its <c>TtlHeartbeats</c>, so that whichever
/// registry leads (now, or after a takeover) counts the TTL from it. <see cref="Status"/> (<c>passing</c>,
/// <c>warning</c>, <c>critical</c>) is what the service reported, for the logs; the report itself travels as a
/// <c>CheckReported</c> observation. Not persistent and short-lived: a beat lost with the broker is a missed beat.
/// </summary>
public sealed record TtlBeat(string InstanceId, string CheckId, DateTimeOffset At, string Status);
