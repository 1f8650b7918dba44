using Mesh.Tests.Common;

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
        T value = default!;
        await Poll.UntilAsync(async () => condition(value = await probe()), what, timeout, ct, () => $" Last seen: {value}{context?.Invoke()}");
        return value;
    }
}
