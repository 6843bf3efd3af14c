using System.Text;
using Skiff.Oci;

namespace Skiff.Images.Pull;

/// <summary>Layer chain ids (OCI image-spec config.md): chain(L0) = diffid0; chain(Ln) = sha256(chain(Ln-1) + " " + diffidN).</summary>
public static class ChainId
{
    public static IReadOnlyList<Digest> Compute(IReadOnlyList<Digest> diffIds)
    {
        var chain = new List<Digest>(diffIds.Count);
        foreach (var diffId in diffIds)
            chain.Add(chain.Count == 0 ? diffId : Digest.Sha256(Encoding.ASCII.GetBytes($"{chain[^1]} {diffId}")));
        return chain;
    }
}
