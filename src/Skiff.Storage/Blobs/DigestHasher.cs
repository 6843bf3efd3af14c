using System.Security.Cryptography;
using Skiff.Oci;

namespace Skiff.Storage.Blobs;

/// <summary>Incremental hashing for the algorithms <see cref="Digest"/> accepts.</summary>
internal static class DigestHasher
{
    public static IncrementalHash Create(string algorithm) => algorithm switch
    {
        "sha256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new NotSupportedException($"digest algorithm {algorithm}: not supported"),
    };

    public static string Finish(IncrementalHash hash, string algorithm)
        => $"{algorithm}:{Convert.ToHexStringLower(hash.GetHashAndReset())}";
}
