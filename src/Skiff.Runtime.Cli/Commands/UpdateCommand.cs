using System.Globalization;
using System.Text.Json;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Config;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>
/// update [-r FILE|-] [--memory N] [--memory-swap N] [--memory-reservation N] [--cpu-share(s) N] [--cpu-quota N]
/// [--cpu-period N] [--cpu-rt-period N] [--cpu-rt-runtime N] [--cpuset-cpus L] [--cpuset-mems L]
/// [--pids-limit N] [--blkio-weight N] ID: runc's update. -r reads linux.resources JSON (a file, or stdin
/// for "-"); the flags override it. Memory sizes take runc's units (1024-based: 10m, 1g); -1 is unlimited.
/// </summary>
public static class UpdateCommand
{
    public static int Run(CommandLine line)
    {
        string id = line.Id("update");
        var r = ReadResources(line.Flag("resources", "r"));
        if (line.Flag("memory") is { } memory) (r.Memory ??= new()).Limit = Bytes(memory, "memory");
        if (line.Flag("memory-swap") is { } swap) (r.Memory ??= new()).Swap = Bytes(swap, "memory-swap");
        if (line.Flag("memory-reservation") is { } res) (r.Memory ??= new()).Reservation = Bytes(res, "memory-reservation");
        if (line.Flag("kernel-memory") is { } km) (r.Memory ??= new()).Kernel = Bytes(km, "kernel-memory");
        if (line.Flag("kernel-memory-tcp") is { } kt) (r.Memory ??= new()).KernelTcp = Bytes(kt, "kernel-memory-tcp");
        if (line.Flag("cpu-share", "cpu-shares") is { } shares) (r.Cpu ??= new()).Shares = UInt(shares, "cpu-share");
        if (line.Flag("cpu-quota") is { } quota) (r.Cpu ??= new()).Quota = Int(quota, "cpu-quota");
        if (line.Flag("cpu-period") is { } period) (r.Cpu ??= new()).Period = UInt(period, "cpu-period");
        if (line.Flag("cpu-rt-period") is { } rtp) (r.Cpu ??= new()).RealtimePeriod = UInt(rtp, "cpu-rt-period");
        if (line.Flag("cpu-rt-runtime") is { } rtr) (r.Cpu ??= new()).RealtimeRuntime = Int(rtr, "cpu-rt-runtime");
        if (line.Flag("cpuset-cpus") is { } cpus) (r.Cpu ??= new()).Cpus = cpus;
        if (line.Flag("cpuset-mems") is { } mems) (r.Cpu ??= new()).Mems = mems;
        if (line.Flag("pids-limit") is { } pids) r.Pids = new PidsResources { Limit = Int(pids, "pids-limit") };
        if (line.Flag("blkio-weight") is { } weight)
        {
            ulong w = UInt(weight, "blkio-weight");
            if (w is not 0 and (< 10 or > 1000)) throw new RuntimeException($"invalid value for --blkio-weight: {weight} (10 to 1000)");
            (r.BlockIo ??= new()).Weight = (ushort)w;
        }
        if (line.Flag("l3-cache-schema", "mem-bw-schema") is not null) throw new RuntimeException("Intel RDT is not supported");
        ContainerCgroups.Update(new StateStore(line.Options.Root), id, r);
        return 0;
    }

    private static LinuxResources ReadResources(string? source)
    {
        if (source is null) return new LinuxResources();
        byte[] bytes;
        try { bytes = source == "-" ? ReadStdin() : File.ReadAllBytes(source); }
        catch (IOException e) { throw new RuntimeException($"--resources {source}: {e.Message}"); }
        try { return JsonSerializer.Deserialize(bytes, RuntimeJsonContext.Default.LinuxResources) ?? new LinuxResources(); }
        catch (JsonException e) { throw new RuntimeException($"--resources {source}: {e.Message}"); }
    }

    private static byte[] ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static ulong UInt(string v, string flag) =>
        ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) ? n : throw new RuntimeException($"invalid value for --{flag}: {v}");

    private static long Int(string v, string flag) =>
        long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? n : throw new RuntimeException($"invalid value for --{flag}: {v}");

    private static long Bytes(string v, string flag) => Units.Bytes(v, flag);
}
