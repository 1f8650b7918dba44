namespace Mesh.Registry.Store;

/// <summary>
/// A wake-up for waiters on "something new was written". The task is created only when someone waits, and a
/// waiter must re-check its condition after taking the task, so a signal between check and wait is never lost.
/// </summary>
internal sealed class AsyncSignal
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
}
