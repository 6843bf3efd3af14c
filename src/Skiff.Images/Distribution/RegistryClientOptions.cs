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
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
