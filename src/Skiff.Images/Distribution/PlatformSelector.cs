using System.Runtime.InteropServices;
using Skiff.Oci.Image;

namespace Skiff.Images.Distribution;

/// <summary>An OS/architecture/variant triple in OCI spelling (linux, amd64|arm64|arm, v8|v7...).</summary>
public sealed record PlatformSpec(string Os, string Architecture, string? Variant)
{
    /// <summary>The host's platform, from <see cref="RuntimeInformation.OSArchitecture"/>.</summary>
    public static PlatformSpec Host { get; } = RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => new PlatformSpec("linux", "amd64", null),
        System.Runtime.InteropServices.Architecture.Arm64 => new PlatformSpec("linux", "arm64", "v8"),
        System.Runtime.InteropServices.Architecture.Arm => new PlatformSpec("linux", "arm", "v7"),
        System.Runtime.InteropServices.Architecture.X86 => new PlatformSpec("linux", "386", null),
        System.Runtime.InteropServices.Architecture.S390x => new PlatformSpec("linux", "s390x", null),
        System.Runtime.InteropServices.Architecture.Ppc64le => new PlatformSpec("linux", "ppc64le", null),
        System.Runtime.InteropServices.Architecture.RiscV64 => new PlatformSpec("linux", "riscv64", null),
        var other => new PlatformSpec("linux", other.ToString().ToLowerInvariant(), null),
    };

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}

/// <summary>Chooses the manifest for a platform from an image index / manifest list.</summary>
public static class PlatformSelector
{
    public static Descriptor Select(ImageIndex index, PlatformSpec platform)
    {
        Descriptor? fallback = null;
        foreach (var m in index.Manifests)
        {
            // An index entry for the platform is chosen too, so that the caller can refuse it by name (a nested or
            // self-referencing index) instead of saying that the platform it lists is not there.
            if (m.Platform is not { } p || !MediaTypes.IsManifest(m.MediaType) && !MediaTypes.IsIndex(m.MediaType) && m.MediaType.Length > 0) continue;
            if (p.Os != platform.Os || p.Architecture != platform.Architecture) continue;
            if (VariantEquals(p.Variant, platform.Variant)) return m;
            // arm64 images often omit "v8"; amd64 "v2/v3" variants still run on a plain amd64 only when
            // nothing exact exists: prefer the exact match, keep the first compatible one.
            if (fallback is null && platform.Variant is null or "v8" && p.Variant is null or "v8") fallback = m;
        }
        if (fallback is not null) return fallback;

        var available = index.Manifests
            .Where(m => m.Platform is not null)
            .Select(m => new PlatformSpec(m.Platform!.Os, m.Platform.Architecture, m.Platform.Variant).ToString())
            .Distinct();
        throw new RegistryException(
            $"no image found in image index for architecture \"{platform.Architecture}\", variant \"{platform.Variant}\", OS \"{platform.Os}\"; available: {string.Join(", ", available)}");
    }

    private static bool VariantEquals(string? a, string? b) => (a ?? "") == (b ?? "");
}
