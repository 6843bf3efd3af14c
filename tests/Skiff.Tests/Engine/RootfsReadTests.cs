using Skiff.Engine.Lifecycle;
using Skiff.Engine.Containers;

namespace Skiff.Tests.Engine;

/// <summary>The engine reads the image's passwd and group from the host: it must not be led outside or made to hang.</summary>
public sealed class RootfsReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-rootfs-").FullName;
    private string Rootfs => Path.Combine(_dir, "rootfs");

    public RootfsReadTests() => Directory.CreateDirectory(Path.Combine(Rootfs, "etc"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reads_a_regular_file()
    {
        File.WriteAllText(Path.Combine(Rootfs, "etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Assert.Equal("root:x:0:0::/root:/bin/sh\n", ContainerCreator.ReadSmall(Rootfs, "etc/passwd"));
    }

    [Fact]
    public void A_symlinked_parent_or_file_counts_as_absent()
    {
        string host = Path.Combine(_dir, "host-etc");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "passwd"), "host secret\n");
        Directory.Delete(Path.Combine(Rootfs, "etc"));
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc"), host);
        Assert.Null(ContainerCreator.ReadSmall(Rootfs, "etc/passwd"));

        File.Delete(Path.Combine(Rootfs, "etc"));
        Directory.CreateDirectory(Path.Combine(Rootfs, "etc"));
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc/passwd"), Path.Combine(host, "passwd"));
        Assert.Null(ContainerCreator.ReadSmall(Rootfs, "etc/passwd"));
    }

    [Fact]
    public async Task A_fifo_does_not_hang_and_an_oversized_file_counts_as_absent()
    {
        string fifo = Path.Combine(Rootfs, "etc/passwd");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)!) await mkfifo.WaitForExitAsync();
        var read = Task.Run(() => ContainerCreator.ReadSmall(Rootfs, "etc/passwd"));
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.True(string.IsNullOrEmpty(await read), "a FIFO reads as empty");

        File.WriteAllBytes(Path.Combine(Rootfs, "etc/group"), new byte[(1 << 20) + 1]);
        Assert.Null(ContainerCreator.ReadSmall(Rootfs, "etc/group"));
    }
}
