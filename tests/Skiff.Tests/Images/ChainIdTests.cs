using System.Security.Cryptography;
using System.Text;
using Skiff.Images.Pull;
using Skiff.Oci;

namespace Skiff.Tests.Images;

public class ChainIdTests
{
    [Fact]
    public void Chain_ids_follow_the_image_spec()
    {
        var d0 = Digest.Sha256("zero"u8);
        var d1 = Digest.Sha256("one"u8);
        var d2 = Digest.Sha256("two"u8);
        var chain = ChainId.Compute([d0, d1, d2]);

        string c1 = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{d0} {d1}")));
        string c2 = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{c1} {d2}")));
        Assert.Equal([d0.ToString(), c1, c2], chain.Select(c => c.ToString()));
        Assert.Empty(ChainId.Compute([]));
    }

    [Fact]
    public void Known_value_computed_with_sha256sum()
    {
        // printf 'sha256:aaa…a sha256:bbb…b' | sha256sum
        var a = Digest.Parse("sha256:" + new string('a', 64));
        var b = Digest.Parse("sha256:" + new string('b', 64));
        Assert.Equal("sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c", ChainId.Compute([a, b])[1].ToString());
    }
}
