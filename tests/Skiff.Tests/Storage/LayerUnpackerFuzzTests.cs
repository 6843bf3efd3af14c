using System.Formats.Tar;
using Skiff.Interop;
using Skiff.Storage.Tar;

namespace Skiff.Tests.Storage;

/// <summary>
/// Seeded mutations of a valid layer (bytes flipped, set to tar-significant values, the stream cut short):
/// each either unpacks inside the layer directory or fails with a readable sentence of ours, never another
/// exception type, never a .NET resource key, and never writes beside the layer directory.
/// </summary>
public sealed class LayerUnpackerFuzzTests
{
    private static byte[] ValidLayer()
    {
        string longName = string.Join('/', Enumerable.Repeat("long-component", 10)) + "/file";
        var pax = new TarBuilder()
            .Dir("etc")
            .File("etc/hosts", "127.0.0.1 localhost\n")
            .File("bin/tool", new string('t', 1500), (UnixFileMode)0x1ed)
            .Symlink("etc/abs", "/etc/hosts")
            .Symlink("rel", "etc/hosts")
            .HardLink("etc/hosts2", "etc/hosts")
            .PaxFile("x", "xattrs", new() { ["SCHILY.xattr.user.a"] = "value" })
            .RawPaxFile("cap", "c", ("SCHILY.xattr.user.bin", [0xff, 0x00, 0x80]))
            .File(longName, "long")
            .Dir("o")
            .File("o/.wh..wh..opq", "")
            .File("etc/.wh.gone", "")
            .Node(TarEntryType.Fifo, "fifo")
            .Bytes();
        byte[] gnu = new TarBuilder(TarEntryFormat.Gnu).File(longName + "-gnu", "gnu").Bytes();
        // A PAX layer whose end blocks are replaced by a GNU part: two archives' entries in one stream.
        return [.. pax[..^1024], .. gnu];
    }

    [Fact]
    public void Mutated_layers_unpack_inside_or_fail_in_words()
    {
        byte[] valid = ValidLayer();
        int unpacked = 0, refused = 0;
        for (int seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            byte[] tar = Mutate(valid, random);
            using var box = new Sandbox();
            try
            {
                LayerUnpacker.Apply(new MemoryStream(tar), box.Layer, new UnpackOptions { UseUserXattr = true, MaxTotalBytes = 1 << 30 });
                unpacked++;
            }
            catch (Exception e) when (e is LayerUnpackException or ErrnoException)
            {
                refused++;
                Assert.False(ErrorText.IsResourceKey(e.Message), $"seed {seed}: {e.Message}");
                Assert.True(e.Message.StartsWith("tar entry \"", StringComparison.Ordinal) || e.Message.StartsWith("layer ", StringComparison.Ordinal),
                    $"seed {seed}: the message names no entry: {e.Message}");
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            box.AssertSentinelUntouched();
        }
        // The loop tries both sides: some mutations still unpack, most are refused.
        Assert.True(unpacked > 10 && refused > 100, $"unpacked {unpacked}, refused {refused}");
    }

    /// <summary>Bytes that mean something in a tar header: path characters, octal digits, NUL, base-256, types.</summary>
    private static readonly byte[] Significant = "./07 x5Lg2"u8.ToArray().Concat(new byte[] { 0, 0xff, 0x80 }).ToArray();

    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] tar = (byte[])valid.Clone();
        int blocks = tar.Length / 512;
        int changes = random.Next(1, 5);
        for (int i = 0; i < changes; i++)
        {
            // Mostly header fields (name, mode, size, type, link name, prefix), sometimes anywhere.
            int at = random.Next(3) == 0
                ? random.Next(tar.Length)
                : random.Next(blocks) * 512 + random.Next(3) switch { 0 => random.Next(100), 1 => 124 + random.Next(12), _ => 156 + random.Next(101) };
            tar[at] = random.Next(4) switch
            {
                0 => (byte)random.Next(256),
                1 => Significant[random.Next(Significant.Length)],
                2 => (byte)(tar[at] ^ (1 << random.Next(8))),
                _ => (byte)".."[0],
            };
        }
        return random.Next(3) == 0 ? tar[..random.Next(tar.Length)] : tar;
    }
}
