using System.Globalization;
using Skiff.Oci.Runtime;

namespace Skiff.Engine.Containers;

/// <summary>The resource flags of run/create as text, turned into linux.resources with podman's parsing and words.</summary>
public sealed class ResourceFlags
{
    public string? Memory { get; init; }
    public string? MemorySwap { get; init; }
    public string? MemoryReservation { get; init; }
    public string? Cpus { get; init; }
    public string? CpuShares { get; init; }
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }
    public string? PidsLimit { get; init; }

    /// <summary>containers.conf pids_limit of podman 4.3: applied when --pids-limit is not given.</summary>
    public const long DefaultPidsLimit = 2048;

    /// <summary>linux.resources; <paramref name="defaultPidsLimit"/> stands in for an absent --pids-limit (0: none).</summary>
    public LinuxResources ToResources(long defaultPidsLimit = 0) => ContainerResources.From(
        memoryBytes: Memory is null ? null : Bytes("memory", Memory),
        memorySwapBytes: MemorySwap is null ? null : MemorySwap == "-1" ? -1 : Bytes("memory-swap", MemorySwap),
        cpus: Cpus is null ? null : ParseDouble("--cpus", Cpus),
        pidsLimit: PidsLimit is null ? defaultPidsLimit : ParseLong("--pids-limit", PidsLimit),
        cpuShares: CpuShares is null ? null : (ulong)ParseLong("--cpu-shares", CpuShares),
        cpusetCpus: CpusetCpus,
        cpusetMems: CpusetMems,
        memoryReservationBytes: MemoryReservation is null ? null : Bytes("memory-reservation", MemoryReservation));

    /// <summary>docker/go-units RAMInBytes: a number with an optional b, k, m, g, t or p (binary multiples), any case, optional trailing b.</summary>
    public static long Bytes(string flag, string text)
    {
        string s = text.Trim().ToLowerInvariant();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        string unit = s[end..];
        if (unit.EndsWith("ib", StringComparison.Ordinal)) unit = unit[..^2];
        else if (unit.Length == 2 && unit[1] == 'b') unit = unit[..1];
        long multiplier = unit switch
        {
            "" or "b" => 1L, "k" => 1L << 10, "m" => 1L << 20, "g" => 1L << 30, "t" => 1L << 40, "p" => 1L << 50,
            _ => -1,
        };
        if (end == 0 || multiplier < 0 || !double.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n))
            throw new EngineException($"invalid value for {flag}: invalid size: '{text}'");
        return (long)(n * multiplier);
    }

    private static double ParseDouble(string flag, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v : throw new EngineException($"invalid argument \"{text}\" for \"{flag}\" flag: strconv.ParseFloat: parsing \"{text}\": invalid syntax");

    private static long ParseLong(string flag, string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v : throw new EngineException($"invalid argument \"{text}\" for \"{flag}\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax");
}
