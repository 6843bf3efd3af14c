using System.Text;
using Skiff.Interop;

namespace Skiff.Runtime.Cgroups;

/// <summary>
/// The kernel calls the cgroup code makes, as a seam: <see cref="HostCgroupFs"/> is the machine's;
/// unit tests point the managers at a temporary tree laid out like v1, v2 or hybrid and record the writes.
/// </summary>
public interface ICgroupFs
{
    /// <summary>statfs(2) f_type of the file system at <paramref name="path"/>; -1 when it does not exist.</summary>
    long FileSystemType(string path);

    /// <summary>/proc/self/NAME (cgroup, mountinfo) as text.</summary>
    string ReadProcSelf(string name);

    /// <summary>Reads a control file; throws <see cref="ErrnoException"/> (ENOENT when missing).</summary>
    string Read(string path);

    /// <summary>Writes a control file in one write(2) without creating it; throws <see cref="ErrnoException"/> with the kernel's errno.</summary>
    void Write(string path, string value);

    bool Exists(string path);

    /// <summary>mkdir(2) 0755: true when created, false when it existed; throws otherwise.</summary>
    bool Mkdir(string path);

    /// <summary>rmdir(2): 0 or the errno.</summary>
    int Rmdir(string path);

    IReadOnlyList<string> SubDirectories(string path);

    /// <summary>
    /// Loads an eBPF cgroup device program (8-byte instructions) and attaches it to the cgroup v2 directory
    /// with BPF_F_ALLOW_MULTI, then detaches the programs that were attached there before (an update).
    /// </summary>
    void AttachDeviceFilter(string dir, byte[] program, string license);
}

/// <summary>The machine's cgroup file systems.</summary>
public sealed class HostCgroupFs : ICgroupFs
{
    public static readonly HostCgroupFs Instance = new();

    public long FileSystemType(string path) => Libc.FileSystemType(path);

    public string ReadProcSelf(string name) => File.ReadAllText("/proc/self/" + name);

    public string Read(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) Libc.ThrowErrno($"open {path}");
        using var handle = new SafeFd(fd);
        return Encoding.UTF8.GetString(Libc.ReadToEnd(fd, 4 << 20));
    }

    public void Write(string path, string value)
    {
        // O_TRUNC as runc: harmless on cgroupfs, and a test tree gets the last value written.
        int fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_TRUNC | Libc.O_CLOEXEC);
        if (fd < 0) Libc.ThrowErrno($"open {path}");
        using var handle = new SafeFd(fd);
        try { Libc.WriteAll(fd, Encoding.UTF8.GetBytes(value)); }
        catch (ErrnoException e) { throw new ErrnoException($"write {path}", e.Errno); }
    }

    public bool Exists(string path) => Path.Exists(path);

    public bool Mkdir(string path)
    {
        if (Libc.Mkdir(path, 0x1ed) == 0) return true;
        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno == Errno.EEXIST && Directory.Exists(path)) return false;
        throw new ErrnoException($"mkdir {path}", errno);
    }

    public int Rmdir(string path) =>
        Libc.Rmdir(path) == 0 ? 0 : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();

    public IReadOnlyList<string> SubDirectories(string path)
    {
        try { return Directory.GetDirectories(path); }
        catch (DirectoryNotFoundException) { return []; }
    }

    public void AttachDeviceFilter(string dir, byte[] program, string license)
    {
        int fd = Libc.Open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd < 0) Libc.ThrowErrno($"open {dir}");
        using var cgroup = new SafeFd(fd);
        uint[] old = Libc.BpfQueryDevicePrograms(fd);
        using (var prog = Libc.BpfLoadCgroupDeviceProgram(program, license))
            Libc.BpfAttachDeviceProgram(fd, prog.Fd);
        // The new filter is in force before the old ones go: there is no moment without one.
        foreach (uint id in old)
        {
            using var prog = Libc.BpfProgramFromId(id);
            Libc.BpfDetachDeviceProgram(fd, prog.Fd);
        }
    }
}
