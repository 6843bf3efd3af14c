using Skiff.Images.Distribution;
using Skiff.Images.Pull;
using Skiff.Storage;
using Skiff.Storage.Space;

namespace Skiff.Engine.Images;

/// <summary>
/// How hard a pull tries and how long it waits: podman's --retry and --retry-delay, plus the registry timeouts and
/// the store's free-space reserve, read from the environment:
///   SKIFF_REGISTRY_CONNECT_TIMEOUT  connecting to a registry (Go duration, default 30s)
///   SKIFF_REGISTRY_IDLE_TIMEOUT     a registry's longest silence within an answer (Go duration, default 30s)
///   SKIFF_STORAGE_RESERVE           free space a pull leaves on the store's file system (bytes, or 512m, 1g; default 256m)
/// </summary>
public sealed record PullSettings(int Retry = PullOptions.DefaultRetry, TimeSpan? RetryDelay = null)
{
    public const string ConnectTimeoutVariable = "SKIFF_REGISTRY_CONNECT_TIMEOUT";
    public const string IdleTimeoutVariable = "SKIFF_REGISTRY_IDLE_TIMEOUT";
    public const string ReserveVariable = "SKIFF_STORAGE_RESERVE";

    public static PullSettings Default { get; } = new();

    /// <summary>podman's flags as typed: --retry N and --retry-delay DURATION (null: not given).</summary>
    public static PullSettings FromFlags(int? retry, string? retryDelay)
    {
        if (retry is < 0) throw new EngineException($"invalid argument \"{retry}\" for \"--retry\" flag: the count cannot be negative");
        TimeSpan? delay = null;
        if (retryDelay is not null)
            delay = GoDuration.TryParse(retryDelay, out var d) ? d : throw new EngineException($"time: invalid duration \"{retryDelay}\"");
        return new PullSettings(retry ?? PullOptions.DefaultRetry, delay);
    }

    internal static TimeSpan ConnectTimeout => Duration(ConnectTimeoutVariable, RegistryClientOptions.DefaultConnectTimeout);

    internal static TimeSpan IdleTimeout => Duration(IdleTimeoutVariable, RegistryClientOptions.DefaultIdleTimeout);

    internal static long Reserve
    {
        get
        {
            string? value = Environment.GetEnvironmentVariable(ReserveVariable);
            if (string.IsNullOrEmpty(value)) return ImageStore.DefaultFreeSpaceReserve;
            long n = FreeSpaceGuard.ParseSize(value);
            return n >= 0 ? n : throw new EngineException($"{ReserveVariable}=\"{value}\": not a size (bytes, or a number with k, m, g or t)");
        }
    }

    private static TimeSpan Duration(string variable, TimeSpan fallback)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value)) return fallback;
        return GoDuration.TryParse(value, out var d) && d > TimeSpan.Zero
            ? d
            : throw new EngineException($"{variable}=\"{value}\": not a duration (e.g. 30s, 1m, 500ms)");
    }
}
