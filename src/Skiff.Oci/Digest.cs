using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Skiff.Oci;

/// <summary>A content digest "algorithm:hex" (OCI image-spec descriptor digest). Only sha256 and sha512 are accepted.</summary>
public readonly record struct Digest
{
    public string Algorithm { get; }
    public string Hex { get; }

    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public static Digest Parse(string text)
    {
        if (!TryParse(text, out var d))
            throw new FormatException($"invalid digest \"{text}\"");
        return d;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out Digest digest)
    {
        digest = default;
        if (text is null) return false;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return false;
        string alg = text[..colon], hex = text[(colon + 1)..];
        int len = alg switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (hex.Length != len) return false;
        foreach (char c in hex)
            if (!char.IsAsciiDigit(c) && c is < 'a' or > 'f') return false;
        digest = new Digest(alg, hex);
        return true;
    }

    public static Digest FromSha256Hash(ReadOnlySpan<byte> hash) => new("sha256", Convert.ToHexStringLower(hash));

    public static Digest Sha256(ReadOnlySpan<byte> data) => FromSha256Hash(SHA256.HashData(data));

    /// <summary>The digest of <paramref name="data"/> under <paramref name="algorithm"/> (sha512, else sha256).</summary>
    public static Digest Of(string algorithm, ReadOnlySpan<byte> data)
        => algorithm == "sha512" ? new("sha512", Convert.ToHexStringLower(SHA512.HashData(data))) : Sha256(data);

    /// <summary>The short 12-character id podman prints.</summary>
    public string ShortId => Hex[..12];

    public bool IsDefault => Algorithm is null;

    public override string ToString() => Algorithm is null ? "" : $"{Algorithm}:{Hex}";
}
