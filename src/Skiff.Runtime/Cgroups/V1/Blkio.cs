using System.Globalization;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>
/// v1 blkio: weight and per-device weight (blkio.weight with CFQ, blkio.bfq.weight with BFQ, whichever
/// the kernel has), leaf weights, and the four throttles ("major:minor rate", one write per device).
/// Statistics from the CFQ/BFQ files or, without them, the throttle ones.
/// </summary>
public sealed class Blkio : IController
{
    public string Name => "blkio";

    public bool IsSet(LinuxResources r) => r.BlockIo is { } b &&
        (b.Weight is not (null or 0) || b.LeafWeight is not (null or 0) || b.WeightDevice is { Count: > 0 } ||
         b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 } ||
         b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 });

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.BlockIo is not { } b) return;
        bool cfq = dir.Has("blkio.weight");
        string weight = cfq ? "blkio.weight" : "blkio.bfq.weight", weightDevice = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
        if (b.Weight is ushort w && w != 0) dir.Write(weight, w.ToString(CultureInfo.InvariantCulture));
        if (b.LeafWeight is ushort lw && lw != 0) dir.Write("blkio.leaf_weight", lw.ToString(CultureInfo.InvariantCulture));
        foreach (var wd in b.WeightDevice ?? [])
        {
            if (wd.Weight is ushort dw && dw != 0) dir.Write(weightDevice, $"{wd.Major}:{wd.Minor} {dw}");
            if (wd.LeafWeight is ushort dlw && dlw != 0) dir.Write("blkio.leaf_weight_device", $"{wd.Major}:{wd.Minor} {dlw}");
        }
        Throttle(dir, "blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice);
        Throttle(dir, "blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice);
        Throttle(dir, "blkio.throttle.read_iops_device", b.ThrottleReadIopsDevice);
        Throttle(dir, "blkio.throttle.write_iops_device", b.ThrottleWriteIopsDevice);
    }

    private static void Throttle(CgroupDir dir, string file, List<ThrottleDevice>? devices)
    {
        foreach (var t in devices ?? []) dir.Write(file, $"{t.Major}:{t.Minor} {t.Rate}");
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        string bytes = dir.Has("blkio.io_service_bytes_recursive") ? "blkio.io_service_bytes_recursive"
            : dir.Has("blkio.bfq.io_service_bytes_recursive") ? "blkio.bfq.io_service_bytes_recursive" : "blkio.throttle.io_service_bytes_recursive";
        string ios = dir.Has("blkio.io_serviced_recursive") ? "blkio.io_serviced_recursive"
            : dir.Has("blkio.bfq.io_serviced_recursive") ? "blkio.bfq.io_serviced_recursive" : "blkio.throttle.io_serviced_recursive";
        stats.Blkio.IoServiceBytesRecursive = Entries(dir, bytes);
        stats.Blkio.IoServicedRecursive = Entries(dir, ios);
    }

    /// <summary>"8:0 Read 4096" lines; the closing "Total N" line is skipped as runc does.</summary>
    private static List<BlkioEntry>? Entries(CgroupDir dir, string file)
    {
        string text;
        try { text = dir.Read(file); }
        catch (ErrnoException) { return null; }
        var list = new List<BlkioEntry>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 3) continue;
            string[] mm = f[0].Split(':');
            if (mm.Length != 2) continue;
            list.Add(new BlkioEntry
            {
                Major = ulong.Parse(mm[0], CultureInfo.InvariantCulture), Minor = ulong.Parse(mm[1], CultureInfo.InvariantCulture),
                Op = f[1], Value = ulong.Parse(f[2], CultureInfo.InvariantCulture),
            });
        }
        return list.Count == 0 ? null : list;
    }
}
