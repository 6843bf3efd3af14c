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

    public TarBuilder Global(Dictionary<string, string> records)
    {
        _writer.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(records));
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

    /// <summary>A regular file preceded by a PAX 'x' header written byte by byte, so record values may be
    /// any bytes (TarWriter only takes strings).</summary>
    public TarBuilder RawPaxFile(string name, string content, params (string Key, byte[] Value)[] records) => RawPaxFile(name, content, 0, records);

    public TarBuilder RawPaxFile(string name, string content, int uid, params (string Key, byte[] Value)[] records)
    {
        RawPax(name, records);
        byte[] data = Encoding.UTF8.GetBytes(content);
        WriteRaw(RawHeader(name, '0', data.Length, uid: uid), data);
        return this;
    }

    /// <summary>A PAX 'x' header alone, its records' values as given bytes.</summary>
    public TarBuilder RawPax(string name, params (string Key, byte[] Value)[] records)
    {
        using var body = new MemoryStream();
        foreach (var (key, value) in records)
        {
            int rest = Encoding.UTF8.GetByteCount(key) + value.Length + 3; // ' ', '=', '\n'
            int length = rest + 1;
            while (length != rest + length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length)
                length = rest + length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            body.Write(Encoding.ASCII.GetBytes($"{length} {key}="));
            body.Write(value);
            body.WriteByte((byte)'\n');
        }
        return WriteRaw(RawHeader("PaxHeaders/" + name, 'x', body.Length), body.ToArray());
    }

    /// <summary>A header and its data (padded), as given: the header may claim any size.</summary>
    public TarBuilder WriteRaw(byte[] header, byte[] data)
    {
        _ms.Write(header);
        _ms.Write(data);
        _ms.Write(new byte[(512 - data.Length % 512) % 512]);
        return this;
    }

    /// <summary>A ustar header (mode 0644, owner uid:0, <see cref="Time"/>) with a correct checksum.</summary>
    public static byte[] RawHeader(string name, char type, long size, byte[]? sizeField = null, int uid = 0)
    {
        var h = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(h, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(h, 100);
        Encoding.ASCII.GetBytes(Convert.ToString(uid, 8).PadLeft(7, '0') + "\0").CopyTo(h, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(h, 116);
        (sizeField ?? Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0")).CopyTo(h, 124);
        Encoding.ASCII.GetBytes(Convert.ToString(Time.ToUnixTimeSeconds(), 8).PadLeft(11, '0') + "\0").CopyTo(h, 136);
        h[156] = (byte)type;
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(h, 257);
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        int sum = h.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        return h;
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

    public static byte[]? XattrBytes(string path, string name)
    {
        var buf = new byte[4096];
        nint n = Libc.Lgetxattr(path, name, buf, (nuint)buf.Length);
        return n < 0 ? null : buf[..(int)n];
    }

    public static string? Xattr(string path, string name)
    {
        Span<byte> buf = stackalloc byte[256];
        nint n = Libc.Lgetxattr(path, name, buf, (nuint)buf.Length);
        return n < 0 ? null : Encoding.UTF8.GetString(buf[..(int)n]);
    }

    public static bool IsRoot => Libc.GetEUid() == 0;
}
