using Skiff.Images.Distribution;
using Skiff.Interop;

namespace Skiff.Images.Pull;

/// <summary>
/// podman's retry of a pull step (containers/common's retry.IfNecessary): a failure that may be passing (the registry
/// stalled, dropped the connection, answered 5xx or 429) is tried again up to <see cref="PullOptions.Retry"/> times,
/// after --retry-delay or 1s, 2s, 4s...; a warning line says so, as podman's does. Others fail at once.
/// </summary>
internal sealed class PullRetry(PullOptions options, PullProgress progress)
{
    public async Task<T> RunAsync<T>(Func<Task<T>> step, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await step().ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < options.Retry && IsTransient(e) && !ct.IsCancellationRequested)
            {
                var delay = options.RetryDelay ?? TimeSpan.FromSeconds(1 << Math.Min(attempt, 16));
                progress.Warning($"Failed, retrying in {GoDuration.Format(delay)} ... ({attempt + 1}/{options.Retry}). Error: {ErrorText.Of(e)}");
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
        }
    }

    public Task RunAsync(Func<Task> step, CancellationToken ct) => RunAsync(async () =>
    {
        await step().ConfigureAwait(false);
        return true;
    }, ct);

    /// <summary>Whether <paramref name="e"/> (or what it wraps) is a failure worth another try.</summary>
    public static bool IsTransient(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case RegistryException r:
                    // The client marks what it knows to be passing; what it wraps (a TLS failure under "server gave
                    // HTTP response to HTTPS client") is its cause, not a second opinion.
                    return r.IsTransient;
                case Storage.Space.StorageFullException:
                case Storage.DigestMismatchException:
                case InvalidDataException:
                    return false;
                case HttpRequestException:
                case System.Net.Sockets.SocketException:
                case HttpIOException:
                    return true;
            }
        }
        return false;
    }
}
