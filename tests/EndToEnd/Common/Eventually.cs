using System.Diagnostics;

namespace Mesh.EndToEnd.Tests.Common;

internal static class Eventually
{
    /// <summary>
    /// Re-evaluates <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/> with
    /// <paramref name="what"/> and the last value seen.
    /// </summary>
    public static async Task<T> WaitAsync<T>(
        Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what, CancellationToken ct, Func<string>? context = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (condition(value)) return value;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last seen: {value}{context?.Invoke()}");
            await Task.Delay(50, ct);
        }
    }
}
