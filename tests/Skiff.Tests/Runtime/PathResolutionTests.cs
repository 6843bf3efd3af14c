using Skiff.Interop;
using Skiff.Runtime;
using Skiff.Runtime.Config;

namespace Skiff.Tests.Runtime;

public sealed class PathResolutionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-rootfs-").FullName;

    public PathResolutionTests()
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException();
        Directory.CreateDirectory(_root + "/bin");
        Directory.CreateDirectory(_root + "/usr/bin");
        Directory.CreateDirectory(_root + "/usr/bin/adir");
        File.WriteAllText(_root + "/bin/busybox", "");
        File.SetUnixFileMode(_root + "/bin/busybox", (UnixFileMode)0x1ed); // 0755
        File.CreateSymbolicLink(_root + "/bin/sh", "busybox");
        File.CreateSymbolicLink(_root + "/usr/bin/abs", "/bin/busybox"); // absolute: must stay inside the root
        File.CreateSymbolicLink(_root + "/usr/bin/escape", "../../../../../etc/passwd");
        File.WriteAllText(_root + "/usr/bin/noexec", "");
        File.SetUnixFileMode(_root + "/usr/bin/noexec", (UnixFileMode)0x1a4); // 0644
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly string[] Env = ["PATH=/usr/bin:/bin"];

    [Fact]
    public void FindsCommandsOnPathThroughSymlinks()
    {
        Assert.Equal("/bin/sh", ExecutableLookup.Resolve(_root, "sh", Env));
        Assert.Equal("/usr/bin/abs", ExecutableLookup.Resolve(_root, "abs", Env));
        Assert.Equal("/bin/busybox", ExecutableLookup.Resolve(_root, "/bin/busybox", Env));
    }

    [Fact]
    public void MissingCommandIs127AndNamesIt()
    {
        var e = Assert.Throws<RuntimeException>(() => ExecutableLookup.Resolve(_root, "nothere", Env));
        Assert.Equal(127, e.ExitCode);
        Assert.Equal("executable file `nothere` not found in $PATH", e.Message);
        Assert.Equal(127, Assert.Throws<RuntimeException>(() => ExecutableLookup.Resolve(_root, "/bin/nothere", Env)).ExitCode);
        // The host has /etc/passwd; the link must resolve inside the root, where it is missing.
        Assert.Equal(127, Assert.Throws<RuntimeException>(() => ExecutableLookup.Resolve(_root, "escape", Env)).ExitCode);
    }

    [Fact]
    public void UnexecutableCommandIs126()
    {
        Assert.Equal(126, Assert.Throws<RuntimeException>(() => ExecutableLookup.Resolve(_root, "noexec", Env)).ExitCode);
        Assert.Equal(126, Assert.Throws<RuntimeException>(() => ExecutableLookup.Resolve(_root, "/usr/bin/adir", Env)).ExitCode);
    }

    [Fact]
    public void EmptyPathFallsBackToTheDefault()
    {
        Assert.Equal("/bin/sh", ExecutableLookup.Resolve(_root, "sh", []));
    }

    [Fact]
    public void RootedPathNeverLeavesTheRoot()
    {
        Assert.Equal(_root + "/bin/busybox", RootedPath.Resolve(_root, "/usr/bin/abs"));
        Assert.Equal(_root + "/etc/passwd", RootedPath.Resolve(_root, "/usr/bin/escape"));
        Assert.Equal(_root + "/x", RootedPath.Resolve(_root, "/../../x"));
        Assert.Equal(_root, RootedPath.Resolve(_root, "/"));
    }
}
