namespace Mesh.Registry.Store;

/// <summary>
/// A wake-up for waiters on "something new was written". The task is created only when someone waits, and a
/// waiter must re-check its condition after taking the task, so a signal between check and wait is never lost.
/// </summary>
public sealed class AsyncSignal
{
    private TaskCompletionSource? _next;

    public Task WaitTask()
    {
        var current = Volatile.Read(ref _next);
        if (current is not null) return current.Task;
        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _next, fresh, null) ?? fresh).Task;
    }

    public void Set() => Interlocked.Exchange(ref _next, null)?.TrySetResult();

    /// <summary>
    /// Reads <paramref name="read"/> until <paramref name="done"/> holds for what it returns, waking on every
    /// <see cref="Set"/>; after <paramref name="timeout"/>, returns the last value read whatever it is.
    /// </summary>
    public async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var signal = WaitTask();
            // Read after taking the task: a Set in between either completes this task or happened before the read.
            var value = read();
            if (done(value)) return value;
            try
            {
                await signal.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return read();
            }
        }
    }
}
