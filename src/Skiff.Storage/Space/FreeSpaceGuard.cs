using System.Globalization;
using Skiff.Interop;

namespace Skiff.Storage.Space;

/// <summary>
/// Keeps a pull from filling the store's file system: what it writes is counted and, every
/// <see cref="CheckInterval"/> bytes, the file system's free space is compared with the reserve that must stay free.
/// Thread-safe (parallel downloads share one).
/// </summary>
public sealed class FreeSpaceGuard
{
    /// <summary>How often (in bytes written) the free space is looked at.</summary>
    public const long CheckInterval = 4L << 20;

    private readonly string _path;
    private long _sinceCheck;

    public FreeSpaceGuard(string path, long reserve)
    {
        _path = path;
        Reserve = reserve;
    }

    /// <summary>Bytes that must stay free on the file system.</summary>
    public long Reserve { get; }

    /// <summary>Refuses up front what cannot fit: <paramref name="bytes"/> more would eat into the reserve.</summary>
    public void Require(long bytes, string what)
    {
        if (bytes <= 0 || Reserve <= 0) return;
        long available = Libc.AvailableBytes(_path);
        if (available >= 0 && available - bytes < Reserve)
            throw new StorageFullException(
                $"{what} needs {Size(bytes)} but the file system of {_path} has {Size(available)} free and {Size(Reserve)} must stay free (SKIFF_STORAGE_RESERVE)");
    }

    /// <summary>Counts <paramref name="bytes"/> written; looks at the free space when enough was written since the last look.</summary>
    public void Wrote(long bytes, string what)
    {
        if (Reserve <= 0) return;
        if (Interlocked.Add(ref _sinceCheck, bytes) < CheckInterval) return;
        Interlocked.Exchange(ref _sinceCheck, 0);
        Check(what);
    }

    /// <summary>Throws <see cref="StorageFullException"/> when the free space is below the reserve.</summary>
    public void Check(string what)
    {
        if (Reserve <= 0) return;
        long available = Libc.AvailableBytes(_path);
        if (available >= 0 && available < Reserve)
            throw new StorageFullException(
                $"{what}: stopped with {Size(available)} left on the file system of {_path}, below the {Size(Reserve)} kept free (SKIFF_STORAGE_RESERVE)");
    }

    /// <summary>Binary units, as the reserve is given: "16MiB", "1.5GiB", "1TiB".</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return (u == 0 ? bytes.ToString(CultureInfo.InvariantCulture) : v.ToString(v < 10 ? "0.#" : "0", CultureInfo.InvariantCulture)) + units[u];
    }

    /// <summary>A size with an optional unit (k, m, g, t, binary; "512m", "1GiB", "0"): -1 when it is not one.</summary>
    public static long ParseSize(string text)
    {
        string s = text.Trim().ToLowerInvariant();
        if (s.EndsWith('b')) s = s[..^1];
        if (s.EndsWith('i')) s = s[..^1];
        long multiplier = 1;
        if (s.Length > 0 && "kmgt".IndexOf(s[^1], StringComparison.Ordinal) is int i and >= 0)
        {
            multiplier = 1L << (10 * (i + 1));
            s = s[..^1];
        }
        return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n <= long.MaxValue / multiplier ? n * multiplier : -1;
    }
}

/// <summary>The store's file system is (nearly) full: the write stopped before the reserve was used up.</summary>
public sealed class StorageFullException : IOException
{
    public StorageFullException() { }
    public StorageFullException(string message) : base(message) { }
    public StorageFullException(string message, Exception inner) : base(message, inner) { }
}
