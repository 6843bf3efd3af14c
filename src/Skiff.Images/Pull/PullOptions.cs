using Skiff.Images.Distribution;

namespace Skiff.Images.Pull;

public sealed class PullOptions
{
    /// <summary>podman's --tls-verify: null = default (https verified; http for insecure registries).</summary>
    public bool? TlsVerify { get; init; }

    /// <summary>No progress lines.</summary>
    public bool Quiet { get; init; }

    /// <summary>Where progress lines go (podman: stderr). Null: nowhere.</summary>
    public TextWriter? Progress { get; init; }

    /// <summary>Which platform to pick from an image index; null: the host's.</summary>
    public PlatformSpec? Platform { get; init; }

    /// <summary>Credentials for registries; null: the standard auth files.</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>podman's --retry: how many times a failed step (a manifest, the config, a blob) is tried again when its
    /// failure may be passing (a stall, a dropped connection, a 5xx answer).</summary>
    public int Retry { get; init; } = DefaultRetry;

    /// <summary>podman's --retry-delay: the wait before each retry; null doubles it from 1s (1s, 2s, 4s...) as podman does.</summary>
    public TimeSpan? RetryDelay { get; init; }

    /// <summary>Limit for connecting to a registry (TCP and TLS).</summary>
    public TimeSpan ConnectTimeout { get; init; } = RegistryClientOptions.DefaultConnectTimeout;

    /// <summary>Longest silence of a registry in the middle of an answer (see <see cref="RegistryClientOptions.IdleTimeout"/>).</summary>
    public TimeSpan IdleTimeout { get; init; } = RegistryClientOptions.DefaultIdleTimeout;

    public const int DefaultRetry = 3;
}
