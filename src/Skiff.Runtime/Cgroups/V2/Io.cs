using System.Globalization;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>
/// v2 io: the weight goes to io.bfq.weight as is when BFQ is there, else to io.weight converted from
/// [10, 1000] to [1, 10000]; per-device weights to io.bfq.weight when it takes them ("major:minor w");
/// throttles to io.max as "major:minor rbps=N" (wbps, riops, wiops). Leaf weights have no v2 file.
/// </summary>
public sealed class Io : IController
{
    public string Name => "io";

    public bool IsSet(LinuxResources r) => r.BlockIo is { } b &&
        (b.Weight is not (null or 0) || b.WeightDevice is { Count: > 0 } || b.ThrottleReadBpsDevice is { Count: > 0 } ||
         b.ThrottleWriteBpsDevice is { Count: > 0 } || b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 });

    /// <summary>runc's ConvertBlkIOToIOWeightValue.</summary>
    public static ulong BlkioToIoWeight(ushort weight) => weight == 0 ? 0 : 1 + ((ulong)weight - 10) * 9999 / 990;

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.BlockIo is not { } b) return;
        bool bfq = dir.Has("io.bfq.weight");
        if (b.Weight is ushort w && w != 0)
        {
            if (bfq) dir.Write("io.bfq.weight", w.ToString(CultureInfo.InvariantCulture));
            else dir.Write("io.weight", BlkioToIoWeight(w));
        }
        if (b.WeightDevice is { Count: > 0 } devices && bfq && BfqTakesDevices(dir))
        {
            foreach (var wd in devices)
                if (wd.Weight is ushort dw && dw != 0) dir.Write("io.bfq.weight", $"{wd.Major}:{wd.Minor} {dw}");
        }
        Throttle(dir, "rbps", b.ThrottleReadBpsDevice);
        Throttle(dir, "wbps", b.ThrottleWriteBpsDevice);
        Throttle(dir, "riops", b.ThrottleReadIopsDevice);
        Throttle(dir, "wiops", b.ThrottleWriteIopsDevice);
    }

    /// <summary>Kernels from 5.4 show "default N" plus device lines in io.bfq.weight, and take per-device weights.</summary>
    private static bool BfqTakesDevices(CgroupDir dir)
    {
        try { return !ulong.TryParse(dir.Read("io.bfq.weight"), NumberStyles.None, CultureInfo.InvariantCulture, out _); }
        catch (ErrnoException) { return false; }
    }

    private static void Throttle(CgroupDir dir, string key, List<ThrottleDevice>? devices)
    {
        foreach (var t in devices ?? []) dir.Write("io.max", $"{t.Major}:{t.Minor} {key}={t.Rate}");
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        string text;
        try { text = dir.Read("io.stat"); }
        catch (ErrnoException) { return; }
        var bytes = new List<BlkioEntry>();
        var ios = new List<BlkioEntry>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] mm = f.Length > 0 ? f[0].Split(':') : [];
            if (mm.Length != 2 || !ulong.TryParse(mm[0], CultureInfo.InvariantCulture, out ulong major) || !ulong.TryParse(mm[1], CultureInfo.InvariantCulture, out ulong minor)) continue;
            foreach (string item in f.Skip(1))
            {
                string[] kv = item.Split('=');
                if (kv.Length != 2 || !ulong.TryParse(kv[1], CultureInfo.InvariantCulture, out ulong v)) continue;
                var (list, op) = kv[0] switch
                {
                    "rbytes" => (bytes, "Read"),
                    "wbytes" => (bytes, "Write"),
                    "rios" => (ios, "Read"),
                    "wios" => (ios, "Write"),
                    _ => ((List<BlkioEntry>?)null, ""),
                };
                list?.Add(new BlkioEntry { Major = major, Minor = minor, Op = op, Value = v });
            }
        }
        stats.Blkio.IoServiceBytesRecursive = bytes.Count == 0 ? null : bytes;
        stats.Blkio.IoServicedRecursive = ios.Count == 0 ? null : ios;
    }
}
