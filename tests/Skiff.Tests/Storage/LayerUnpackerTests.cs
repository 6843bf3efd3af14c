using System.Formats.Tar;
using Skiff.Storage.Tar;
using Skiff.TestSupport;

namespace Skiff.Tests.Storage;

public sealed class LayerUnpackerTests : IDisposable
{
    private readonly Sandbox _box = new();

    public void Dispose() => _box.Dispose();

    private UnpackResult Apply(TarBuilder tar, UnpackOptions? options = null)
        => LayerUnpacker.Apply(tar.Stream(), _box.Layer, options ?? new UnpackOptions { UseUserXattr = true });

    private string L(string rel) => Path.Combine(_box.Layer, rel);

    [Fact]
    public void Files_directories_and_links_are_created_with_their_metadata()
    {
        var result = Apply(new TarBuilder()
            .Dir("./etc/")
            .File("./etc/hosts", "127.0.0.1 localhost\n")
            .File("bin/su", "setuid", (UnixFileMode)0xded /* 06755 */)
            .Symlink("etc/abs", "/etc/hosts")
            .Symlink("etc/rel", "hosts")
            .HardLink("etc/hosts2", "./etc/hosts")
            .File("/abs/name", "leading slash stripped"));

        Assert.Equal(7, result.Entries);
        Assert.Equal("127.0.0.1 localhost\n", File.ReadAllText(L("etc/hosts")));
        Assert.Equal("/etc/hosts", new FileInfo(L("etc/abs")).LinkTarget);
        Assert.Equal("hosts", new FileInfo(L("etc/rel")).LinkTarget);
        Assert.Equal(FsProbe.Stat(L("etc/hosts"), "%i"), FsProbe.Stat(L("etc/hosts2"), "%i"));
        Assert.Equal("2", FsProbe.Stat(L("etc/hosts"), "%h"));
        Assert.Equal("6755", FsProbe.Stat(L("bin/su"), "%a"));
        Assert.Equal("leading slash stripped", File.ReadAllText(L("abs/name")));
        Assert.Equal(TarBuilder.Time.UtcDateTime, File.GetLastWriteTimeUtc(L("etc/hosts")));
        Assert.Equal(TarBuilder.Time.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), FsProbe.Stat(L("etc/abs"), "%Y"));
        Assert.Equal(TarBuilder.Time.UtcDateTime, Directory.GetLastWriteTimeUtc(L("etc")));
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void A_read_only_directory_gets_its_mode_after_its_content()
    {
        Apply(new TarBuilder().Dir("ro", (UnixFileMode)0x16d /* 0555 */).File("ro/inside", "x").Dir("ro/sub", (UnixFileMode)0x140 /* 0500 */).File("ro/sub/deep", "y"));
        Assert.Equal("555", FsProbe.Stat(L("ro"), "%a"));
        Assert.Equal("500", FsProbe.Stat(L("ro/sub"), "%a"));
        Assert.Equal("y", File.ReadAllText(L("ro/sub/deep")));
    }

    [RootFact]
    public void Ownership_comes_from_the_header()
    {
        Apply(new TarBuilder().File("owned", "x", uid: 1234, gid: 5678));
        Assert.Equal("1234:5678", FsProbe.Stat(L("owned"), "%u:%g"));
    }

    [Fact]
    public void Long_gnu_and_pax_names_are_read()
    {
        string longName = string.Join('/', Enumerable.Repeat("component-of-a-long-path", 12)) + "/file";
        var gnu = new TarBuilder(TarEntryFormat.Gnu).File(longName, "gnu");
        LayerUnpacker.Apply(gnu.Stream(), _box.Layer);
        Assert.Equal("gnu", File.ReadAllText(L(longName)));
        var pax = new TarBuilder().File(longName + "2", "pax");
        LayerUnpacker.Apply(pax.Stream(), _box.Layer);
        Assert.Equal("pax", File.ReadAllText(L(longName + "2")));
    }

    [Fact]
    public void Fifos_and_devices_are_made()
    {
        Apply(new TarBuilder().Node(TarEntryType.Fifo, "fifo").Node(TarEntryType.CharacterDevice, "null", 1, 3));
        Assert.Equal("fifo", FsProbe.Stat(L("fifo"), "%F"));
        if (FsProbe.IsRoot)
            Assert.Equal("character special file 1:3", FsProbe.Stat(L("null"), "%F %Hr:%Lr"));
    }

    [Fact]
    public void A_whiteout_becomes_a_char_device_0_0_and_an_opaque_marker_an_xattr()
    {
        Apply(new TarBuilder().Dir("d").File("d/.wh.gone", "").File("o/.wh..wh..opq", "").File("o/kept", "k"),
            new UnpackOptions { UseUserXattr = true });
        Assert.Equal("character special file 0:0", FsProbe.Stat(L("d/gone"), "%F %Hr:%Lr"));
        Assert.False(File.Exists(L("d/.wh.gone")));
        Assert.False(File.Exists(L("o/.wh..wh..opq")));
        Assert.Equal("y", FsProbe.Xattr(L("o"), "user.overlay.opaque"));
        Assert.Equal("k", File.ReadAllText(L("o/kept")));
    }

    [Theory]
    [InlineData('x', "77777777777")]   // 8 GiB of PAX records, octal
    [InlineData('L', "00010000000")]   // a 2 MiB GNU long name
    public void A_huge_metadata_entry_is_refused_before_it_is_read(char type, string octalSize)
    {
        var header = new byte[512];
        System.Text.Encoding.ASCII.GetBytes("huge").CopyTo(header, 0);
        System.Text.Encoding.ASCII.GetBytes(octalSize + "\0").CopyTo(header, 124);
        header[156] = (byte)type;
        // Only the header exists: the declared content is never there, and never asked for.
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(header), _box.Layer));
        Assert.Equal($"layer tar has a '{type}' metadata entry of {Convert.ToInt64(octalSize, 8)} bytes at its start: over the limit of 1048576 bytes, refused", e.Message);
    }

    [Fact]
    public void A_whiteout_does_not_hide_what_its_own_layer_holds()
    {
        // image-spec layer.md: whiteouts apply to lower layers only.
        Apply(new TarBuilder().Dir("d").File("d/kept", "mine").File("d/.wh.kept", ""));
        Assert.Equal("mine", File.ReadAllText(L("d/kept")));
    }

    [RootFact]
    public void As_root_the_opaque_marker_is_the_trusted_xattr()
    {
        Apply(new TarBuilder().File("o/.wh..wh..opq", ""), new UnpackOptions { UseUserXattr = false });
        Assert.Equal("y", FsProbe.Xattr(L("o"), "trusted.overlay.opaque"));
        Assert.Null(FsProbe.Xattr(L("o"), "user.overlay.opaque"));
    }

    [Fact]
    public void Pax_xattrs_are_applied_but_never_overlay_ones()
    {
        Apply(new TarBuilder().PaxFile("f", "x", new() { ["SCHILY.xattr.user.note"] = "hello", ["SCHILY.xattr.user.overlay.opaque"] = "y" }));
        Assert.Equal("hello", FsProbe.Xattr(L("f"), "user.note"));
        Assert.Null(FsProbe.Xattr(L("f"), "user.overlay.opaque"));
    }

    [Fact]
    public void A_pax_global_header_is_passed_over_and_xattrs_stay_with_their_entry()
    {
        // git archive writes one ("comment=<commit>") at the start.
        var tar = new TarBuilder().Global(new() { ["comment"] = "0123abcd" })
            .PaxFile("f", "x", new() { ["SCHILY.xattr.user.note"] = "mine" }).File("g", "y");
        Assert.Equal(3, Apply(tar).Entries);
        Assert.Equal("mine", FsProbe.Xattr(L("f"), "user.note"));
        Assert.Null(FsProbe.Xattr(L("g"), "user.note"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs/../../escape")]
    [InlineData("a/../../sentinel/secret")]
    [InlineData("./../sentinel/secret")]
    public void Names_that_climb_out_are_refused(string name)
    {
        var e = Assert.Throws<LayerUnpackException>(() => Apply(new TarBuilder().File(name, "evil")));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Contains("escapes", e.Message, StringComparison.Ordinal);
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void A_name_with_NUL_is_refused()
    {
        var e = Assert.Throws<LayerUnpackException>(() => EntryName.Normalize("a\0b"));
        Assert.Contains("NUL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dot_dot_that_stays_inside_is_resolved_lexically()
    {
        Assert.Equal(["b"], EntryName.Normalize("./a/../b"));
        Assert.Equal([], EntryName.Normalize("./"));
        Assert.Equal(["x", "y"], EntryName.Normalize("//x/./y/"));
    }

    [Fact]
    public void An_entry_under_a_symlinked_parent_is_refused()
    {
        var tar = new TarBuilder().Symlink("a", _box.Sentinel).File("a/evil", "evil");
        var e = Assert.Throws<LayerUnpackException>(() => Apply(tar));
        Assert.Contains("a/evil", e.Message, StringComparison.Ordinal);
        Assert.Contains("symlink", e.Message, StringComparison.Ordinal);
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void A_symlink_to_a_relative_outside_path_is_not_followed_either()
    {
        var tar = new TarBuilder().Symlink("up", "../sentinel").File("up/secret", "overwritten");
        Assert.Throws<LayerUnpackException>(() => Apply(tar));
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void A_file_over_an_existing_symlink_replaces_the_link_not_its_target()
    {
        string secret = Path.Combine(_box.Sentinel, "secret");
        Apply(new TarBuilder().Symlink("s", secret).File("s", "mine"));
        Assert.Null(new FileInfo(L("s")).LinkTarget);
        Assert.Equal("mine", File.ReadAllText(L("s")));
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void A_whiteout_or_opaque_marker_under_a_symlinked_parent_is_refused()
    {
        Assert.Throws<LayerUnpackException>(() => Apply(new TarBuilder().Symlink("a", _box.Sentinel).File("a/.wh.secret", "")));
        Assert.Throws<LayerUnpackException>(() => Apply(new TarBuilder().Symlink("b", _box.Sentinel).File("b/.wh..wh..opq", "")));
        _box.AssertSentinelUntouched();
        Assert.Null(FsProbe.Xattr(_box.Sentinel, "user.overlay.opaque"));
    }

    [Fact]
    public void Hardlinks_to_outside_are_refused()
    {
        Assert.Throws<LayerUnpackException>(() => Apply(new TarBuilder().HardLink("h", "../sentinel/secret")));
        Assert.Throws<LayerUnpackException>(() => Apply(new TarBuilder().HardLink("h", "/../sentinel/secret")));
        var viaSymlink = new TarBuilder().Symlink("a", _box.Sentinel).HardLink("h", "a/secret");
        var e = Assert.Throws<LayerUnpackException>(() => Apply(viaSymlink));
        Assert.Contains("symlink", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(L("h")));
        Assert.Equal("1", FsProbe.Stat(Path.Combine(_box.Sentinel, "secret"), "%h"));
        var missing = Assert.Throws<LayerUnpackException>(() => Apply(new TarBuilder().HardLink("h2", "no/such/dir/file")));
        Assert.Equal("tar entry \"h2\": hardlink target \"no/such/dir/file\" is not a file in this layer", missing.Message);
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void A_hardlink_to_a_symlink_links_the_symlink_itself()
    {
        Apply(new TarBuilder().Symlink("s", _box.Sentinel + "/secret").HardLink("h", "s"));
        Assert.Equal(_box.Sentinel + "/secret", new FileInfo(L("h")).LinkTarget);
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void Limits_are_enforced()
    {
        var big = new TarBuilder().File("big", new string('x', 100));
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(big.Stream(), _box.Layer, new UnpackOptions { MaxTotalBytes = 99 }));
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(L("big")));

        var many = new TarBuilder().File("1", "").File("2", "").File("3", "");
        Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(many.Stream(), _box.Layer, new UnpackOptions { MaxEntries = 2 }));

        var longName = new TarBuilder().File(new string('n', 200), "");
        Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(longName.Stream(), _box.Layer, new UnpackOptions { MaxNameLength = 100 }));
    }

    /// <summary>A ustar layer "a" (700 bytes), "d", "d/b" (100 bytes, the last entry): its bytes and where b's
    /// header and data start.</summary>
    private static (byte[] Tar, int BHeader, int BDataEnd) LastEntryLayer()
    {
        byte[] tar = new TarBuilder(TarEntryFormat.Ustar).File("a", new string('a', 700)).Dir("d").File("d/b", new string('b', 100)).Bytes();
        int dataEnd = tar.Length - 1024 - 412; // two end blocks, then b's padding to 512
        return (tar, dataEnd - 100 - 512, dataEnd);
    }

    [Theory]
    [InlineData(0)]      // umoci 0.4.7 `insert`: no padding after the last data, no end-of-archive blocks
    [InlineData(200)]    // part of the padding
    [InlineData(412)]    // the padding, no end blocks
    [InlineData(412 + 512)] // one end block of two
    [InlineData(412 + 1024)] // complete
    public void A_layer_that_stops_right_after_its_last_entrys_data_is_read(int afterData)
    {
        var (tar, _, dataEnd) = LastEntryLayer();
        var result = LayerUnpacker.Apply(new MemoryStream(tar[..(dataEnd + afterData)]), _box.Layer);
        Assert.Equal(3, result.Entries);
        Assert.Equal(new string('b', 100), File.ReadAllText(L("d/b")));
        Assert.Equal(700, new FileInfo(L("a")).Length);
    }

    [Fact]
    public void An_empty_layer_and_one_that_stops_after_a_header_only_entry_are_read()
    {
        Assert.Equal(0, LayerUnpacker.Apply(new MemoryStream([]), _box.Layer).Entries);
        byte[] dirOnly = new TarBuilder(TarEntryFormat.Ustar).Dir("only").Bytes();
        Assert.Equal(1, LayerUnpacker.Apply(new MemoryStream(dirOnly[..512]), _box.Layer).Entries);
        Assert.True(Directory.Exists(L("only")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(99)]
    public void An_entry_shorter_than_its_header_says_is_refused_naming_it(int missing)
    {
        var (tar, _, dataEnd) = LastEntryLayer();
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(tar[..(dataEnd - missing)]), _box.Layer));
        Assert.Equal($"tar entry \"d/b\" is truncated: the layer ends {missing} bytes before the end of its data (100 bytes according to its header)", e.Message);
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void A_skipped_entry_shorter_than_its_header_says_is_refused_naming_it()
    {
        // A whiteout's data is never read: the reader skips it when it goes on, and finds it short.
        byte[] tar = new TarBuilder(TarEntryFormat.Ustar).File(".wh.x", new string('w', 300)).Bytes();
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(tar[..(512 + 100)]), _box.Layer));
        Assert.Equal("tar entry \".wh.x\" is truncated: the layer ends 200 bytes before the end of its data", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(511)]
    public void A_truncated_header_is_refused_naming_the_entry_before_it(int headerBytes)
    {
        var (tar, bHeader, _) = LastEntryLayer();
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(tar[..(bHeader + headerBytes)]), _box.Layer));
        Assert.Equal("layer tar is truncated: it ends inside the header after entry \"d\"", e.Message);
        var first = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(tar[..headerBytes]), _box.Layer));
        Assert.Equal("layer tar is truncated: it ends inside the first header", first.Message);
    }

    [Fact]
    public void A_truncated_pax_header_is_refused_naming_the_entry_before_it()
    {
        byte[] tar = new TarBuilder().File("first", "1").PaxFile("second", "2", new() { ["SCHILY.xattr.user.a"] = new string('v', 600) }).Bytes();
        int cut = Array.IndexOf(tar, (byte)'v') + 10;
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(tar[..cut]), _box.Layer));
        Assert.Equal("layer tar is truncated: it ends inside the extended (PAX or GNU) header after entry \"first\"", e.Message);
    }

    [Fact]
    public void A_corrupt_header_is_refused_in_words_naming_its_entry()
    {
        byte[] tar = new TarBuilder(TarEntryFormat.Ustar).File("ok", "1").File("bad", "2").Bytes();
        tar[1024 + 101] = (byte)'9'; // the second header's mode: not octal
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(tar), _box.Layer));
        Assert.StartsWith("tar entry \"bad\": its header is invalid (", e.Message, StringComparison.Ordinal);

        // A symlink claiming data, its name in a PAX record: the name is the record's.
        string longName = string.Join('/', Enumerable.Repeat("long-component", 12)) + "/link";
        var symlink = new TarBuilder().RawPax("link", ("path", System.Text.Encoding.UTF8.GetBytes(longName)))
            .WriteRaw(TarBuilder.RawHeader("short", '2', 600), new byte[600]);
        e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(symlink.Stream(), _box.Layer));
        Assert.StartsWith($"tar entry \"{longName}\": its header is invalid (", e.Message, StringComparison.Ordinal);

        // A PAX header TarReader cannot split into records names the entry before it.
        var pax = new TarBuilder(TarEntryFormat.Ustar).File("first", "1").RawPax("second", ("comment", "a\nb"u8.ToArray())).File("second", "2");
        e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(pax.Stream(), _box.Layer));
        Assert.StartsWith("layer tar is malformed: the header after entry \"first\" is invalid (", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_claiming_a_huge_size_is_refused_naming_the_entry()
    {
        // 077777777777 octal (8 GiB) under the content limit: the data is not there.
        var octal = new TarBuilder().WriteRaw(TarBuilder.RawHeader("big", '0', 0x1_ffff_ffffL), new byte[100]);
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(octal.Bytes()), _box.Layer));
        Assert.StartsWith("tar entry \"big\" is truncated: the layer ends ", e.Message, StringComparison.Ordinal);
        // 2^62 bytes in base-256: over the content limit before any of it is read.
        byte[] base256 = new byte[12];
        base256[0] = 0x80;
        base256[4] = 0x40;
        var huge = new TarBuilder().WriteRaw(TarBuilder.RawHeader("huge", '0', 0, base256), new byte[100]);
        e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(huge.Bytes()), _box.Layer));
        Assert.Equal($"tar entry \"huge\": layer content exceeds the limit of {new UnpackOptions().MaxTotalBytes} bytes", e.Message);
        Assert.False(File.Exists(L("huge")));
        _box.AssertSentinelUntouched();
    }

    [Fact]
    public void Binary_pax_xattr_values_are_kept_byte_for_byte()
    {
        byte[] binary = [0xff, 0x00, 0x0a, 0x80, (byte)'=', 0xc3, 0x28, 0x20];
        Apply(new TarBuilder()
            .RawPaxFile("f", "x", ("SCHILY.xattr.user.bin", binary), ("SCHILY.xattr.user.text", "plain"u8.ToArray()))
            .File("g", "no xattrs of f here"));
        Assert.Equal(binary, FsProbe.XattrBytes(L("f"), "user.bin"));
        Assert.Equal("plain", FsProbe.Xattr(L("f"), "user.text"));
        Assert.Null(FsProbe.XattrBytes(L("g"), "user.bin"));
    }

    [Fact]
    public void A_pax_size_record_overrides_the_header_size()
    {
        // What tar writes for a file over 8 GiB: the header's size field cannot hold it, PAX "size" does.
        var tar = new TarBuilder().RawPax("big", ("size", "5"u8.ToArray()))
            .WriteRaw(TarBuilder.RawHeader("big", '0', 0), "hello"u8.ToArray())
            .File("after", "next");
        var result = LayerUnpacker.Apply(tar.Stream(), _box.Layer);
        Assert.Equal(2, result.Entries);
        Assert.Equal("hello", File.ReadAllText(L("big")));
        Assert.Equal("next", File.ReadAllText(L("after")));
    }

    /// <summary>cap_setfcap,cap_net_bind_service+ep as a v2 security.capability (the byte 0x80 is not UTF-8).</summary>
    internal static readonly byte[] CapabilityV2 = [0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    [RootFact]
    public void A_file_capability_is_kept_and_not_cleared_by_the_chown_after_it()
    {
        // A chown to another owner drops a file's capabilities: it must come first.
        Apply(new TarBuilder().RawPaxFile("ping", "binary", 1234, ("SCHILY.xattr.security.capability", CapabilityV2)));
        Assert.Equal(CapabilityV2, FsProbe.XattrBytes(L("ping"), "security.capability"));
        Assert.Equal("1234", FsProbe.Stat(L("ping"), "%u"));
    }

    [Fact]
    public void A_truncated_tar_is_refused_cleanly()
    {
        byte[] bytes = new TarBuilder().File("f", new string('x', 5000)).Bytes();
        int dataEnd = bytes.Length - 1024 - 120; // two end blocks, then 5000 bytes padded to 5120
        var e = Assert.Throws<LayerUnpackException>(() => LayerUnpacker.Apply(new MemoryStream(bytes[..(dataEnd - 1000)]), _box.Layer));
        Assert.StartsWith("tar entry \"f\" is truncated", e.Message, StringComparison.Ordinal);
        _box.AssertSentinelUntouched();
    }
}
