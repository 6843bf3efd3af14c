using Skiff.Images.Registries;

namespace Skiff.Images.Distribution;

public sealed class RegistryClientOptions
{
    /// <summary>null: https with verification (plain http only for registries marked insecure);
    /// false: https without verification, then plain http (podman's --tls-verify=false); true: always verified https.</summary>
    public bool? TlsVerify { get; init; }

    public RegistriesConfig Config { get; init; } = RegistriesConfig.Empty;

    public RegistryCredentials Credentials { get; init; } = RegistryCredentials.None;

    /// <summary>Limit for a TCP connect plus TLS handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>Longest wait for the next bytes of an answer (its headers, or the next read of its body): a registry
    /// silent this long has stalled. Not a limit on a whole request, so large blobs on slow links still arrive.</summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(30);
}
