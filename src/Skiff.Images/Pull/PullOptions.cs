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
}
