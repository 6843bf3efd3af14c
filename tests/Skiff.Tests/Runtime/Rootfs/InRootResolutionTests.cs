using Skiff.Runtime;
using Skiff.Runtime.Rootfs;

namespace Skiff.Tests.Runtime.Rootfs;

/// <summary>
/// The Linux kernel's resolution inside a root, with openat2 and with the descriptor walk older kernels get:
/// symbolic links (absolute, relative, at the last or an inner component) and ".." never leave the root, and
/// what is missing is created where the resolution says, inside. Needs no privilege: nothing is mounted.
/// </summary>
public sealed class InRootResolutionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-inroot-").FullName;
    private readonly string _root;
    private readonly string _outside;

    public InRootResolutionTests()
    {
        _root = Path.Combine(_dir, "root");
        _outside = Path.Combine(_dir, "outside");
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_root, "etc/file"), "in");
        File.WriteAllText(Path.Combine(_outside, "file"), "out");
        File.CreateSymbolicLink(Path.Combine(_root, "abs"), _outside);                         // absolute: means <root>/<_outside>
        File.CreateSymbolicLink(Path.Combine(_root, "rel"), "../../../../../../../" + _outside); // climbs: stops at the root
        File.CreateSymbolicLink(Path.Combine(_root, "slash"), "/");
        File.CreateSymbolicLink(Path.Combine(_root, "dangling"), "/made/here");
        File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");
        File.CreateSymbolicLink(Path.Combine(_root, "etc/up"), "../etc/file");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<bool> Modes => [true, false];

    private static LinuxMountKernel Kernel(bool openat2) => new(openat2, newMountApi: false, mountSetattr: false);

    private static string Where(Node node) => new FileInfo($"/proc/self/fd/{node.Fd!.Fd}").LinkTarget!;

    [Theory]
    [MemberData(nameof(Modes))]
    public void LinksResolveInsideTheRoot(bool openat2)
    {
        var k = Kernel(openat2);
        using var root = k.Open(_root)!;
        using (var n = k.Resolve(root, "/slash/slash/etc/file", Create.Nothing)!) Assert.Equal(_root + "/etc/file", Where(n));
        using (var n = k.Resolve(root, "/etc/up", Create.Nothing)!) Assert.Equal(_root + "/etc/file", Where(n));
        using (var n = k.Resolve(root, "/../../etc/../../etc/file", Create.Nothing)!) Assert.Equal(_root + "/etc/file", Where(n));
        Assert.Null(k.Resolve(root, "/abs/file", Create.Nothing)); // <root>/<outside>/file does not exist
        Assert.Null(k.Resolve(root, "/rel/file", Create.Nothing));
        Assert.Null(k.Resolve(root, "/etc/file/below", Create.Nothing));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void WhatIsMissingIsCreatedInsideTheRoot(bool openat2)
    {
        var k = Kernel(openat2);
        using var root = k.Open(_root)!;
        using (var n = k.Resolve(root, "/abs/file", Create.File)!)
        {
            Assert.Equal(_root + _outside + "/file", Where(n));
            Assert.Equal(NodeKind.File, n.Kind);
        }
        using (var n = k.Resolve(root, "/rel/sub/dir", Create.Directory)!) Assert.Equal(_root + _outside + "/sub/dir", Where(n));
        using (var n = k.Resolve(root, "/dangling/x", Create.Directory)!) Assert.Equal(_root + "/made/here/x", Where(n));
        Assert.Equal("out", File.ReadAllText(Path.Combine(_outside, "file")));
        Assert.Equal(["file"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void TheLastLinkItselfWhenAskedAndLoopsAndFilesAreErrors(bool openat2)
    {
        var k = Kernel(openat2);
        using var root = k.Open(_root)!;
        using (var n = k.Resolve(root, "/abs", Create.Nothing, followLast: false)!) Assert.Equal(NodeKind.Symlink, n.Kind);
        Assert.Contains("too many levels of symbolic links", Assert.Throws<RuntimeException>(() => k.Resolve(root, "/loop/x", Create.Directory)).Message, StringComparison.Ordinal);
        Assert.ThrowsAny<IOException>(() => k.Resolve(root, "/etc/file/x", Create.Directory));
    }
}
