namespace Mesh.Tests.Common;

/// <summary>Waiting on a condition instead of sleeping: re-check it until it holds, fail naming it after a limit.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan limit, CancellationToken ct, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {limit} waiting for {what}.{context?.Invoke()}");
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }
}
