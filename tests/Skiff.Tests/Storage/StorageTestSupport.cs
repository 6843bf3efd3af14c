using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using Skiff.Interop;

namespace Skiff.Tests.Storage;

/// <summary>A scratch directory with a layer directory and, beside it, a sentinel directory that no
/// layer may touch; removed on dispose.</summary>
internal sealed class Sandbox : IDisposable
{
    public Sandbox()
    {
        Root = Path.Combine(Path.GetTempPath(), "skiff-storage-test-" + Guid.NewGuid().ToString("N"));
        Layer = Path.Combine(Root, "layer");
        Sentinel = Path.Combine(Root, "sentinel");
        Directory.CreateDirectory(Layer);
        Directory.CreateDirectory(Sentinel);
        File.WriteAllText(Path.Combine(Sentinel, "secret"), "untouched");
        SentinelBefore = Snapshot(Sentinel);
    }

    public string Root { get; }
    public string Layer { get; }
    public string Sentinel { get; }
    private string SentinelBefore { get; }

    /// <summary>Everything under <paramref name="dir"/>: names, types, sizes and contents.</summary>
    public static string Snapshot(string dir)
    {
        var sb = new StringBuilder();
        foreach (string p in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(p);
            sb.Append(Path.GetRelativePath(dir, p)).Append(' ').Append(info.Attributes);
            if (File.Exists(p) && info.LinkTarget is null) sb.Append(' ').Append(File.ReadAllText(p));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public void AssertSentinelUntouched()
    {
        Assert.Equal(SentinelBefore, Snapshot(Sentinel));
        Assert.Equal(["layer", "sentinel"], Directory.EnumerateFileSystemEntries(Root).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray());
    }

    public void Dispose()
    {
        Skiff.Storage.Locking.Trees.RemoveTree(Root);
    }
}

/// <summary>Builds layer tars in memory with System.Formats.Tar's writer.</summary>
internal sealed class TarBuilder
{
    private readonly MemoryStream _ms = new();
    private readonly TarWriter _writer;
    public static readonly DateTimeOffset Time = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public TarBuilder(TarEntryFormat format = TarEntryFormat.Pax) => _writer = new TarWriter(_ms, format, leaveOpen: true);

    private TarEntry New(TarEntryType type, string name)
    {
        TarEntry e = _writer.Format switch
        {
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            _ => new PaxTarEntry(type, name),
        };
        e.ModificationTime = Time;
        return e;
    }

    public TarBuilder Dir(string name, UnixFileMode mode = (UnixFileMode)0x1ed)
    {
        var e = New(TarEntryType.Directory, name);
        e.Mode = mode;
        _writer.WriteEntry(e);
        return this;
    }

    public TarBuilder File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1a4, int uid = 0, int gid = 0)
    {
        var e = New(TarEntryType.RegularFile, name);
        e.Mode = mode;
        e.Uid = uid;
        e.Gid = gid;
        e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        _writer.WriteEntry(e);
        return this;
    }

    public TarBuilder PaxFile(string name, string content, Dictionary<string, string> pax)
    {
        var e = new PaxTarEntry(TarEntryType.RegularFile, name, pax) { Mode = (UnixFileMode)0x1a4, ModificationTime = Time };
        e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        _writer.WriteEntry(e);
        return this;
    }

    public TarBuilder Link(TarEntryType type, string name, string target)
    {
        var e = New(type, name);
        e.LinkName = target;
        e.Mode = (UnixFileMode)0x1ff;
        _writer.WriteEntry(e);
        return this;
    }

    public TarBuilder Symlink(string name, string target) => Link(TarEntryType.SymbolicLink, name, target);

    public TarBuilder HardLink(string name, string target) => Link(TarEntryType.HardLink, name, target);

    public TarBuilder Node(TarEntryType type, string name, int major = 0, int minor = 0)
    {
        var e = (PosixTarEntry)New(type, name);
        e.Mode = (UnixFileMode)0x1a4;
        if (type != TarEntryType.Fifo)
        {
            e.DeviceMajor = major;
            e.DeviceMinor = minor;
        }
        _writer.WriteEntry(e);
        return this;
    }

    public byte[] Bytes()
    {
        _writer.Dispose();
        return _ms.ToArray();
    }

    public MemoryStream Stream() => new(Bytes());
}

internal static class FsProbe
{
    /// <summary>stat(1) of a path without following a symlink, in the given format.</summary>
    public static string Stat(string path, string format)
    {
        var psi = new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"stat {path} failed: {p.StandardError.ReadToEnd()}");
        return output;
    }

    public static string? Xattr(string path, string name)
    {
        Span<byte> buf = stackalloc byte[256];
        nint n = Libc.Lgetxattr(path, name, buf, (nuint)buf.Length);
        return n < 0 ? null : Encoding.UTF8.GetString(buf[..(int)n]);
    }

    public static bool IsRoot => Libc.GetEUid() == 0;
}
