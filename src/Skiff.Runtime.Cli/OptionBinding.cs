using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Config;
using Skiff.Runtime.Options;

namespace Skiff.Runtime.Cli;

/// <summary>Turns a parsed verb into its typed options record, checking and converting the values (runc's formats).</summary>
public static class OptionBinding
{
    public static CreateOptions Create(ParsedVerb p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new()
        {
            Id = p.Operands[0],
            Bundle = p.Value("bundle") ?? ".",
            ConsoleSocket = p.Value("console-socket"),
            PidFile = p.Value("pid-file"),
            NoPivot = p.Switch("no-pivot"),
            NoNewKeyring = p.Switch("no-new-keyring"),
            PreserveFds = Count(p, "preserve-fds"),
        };
    }

    public static RunOptions Run(ParsedVerb p) => new()
    {
        Create = Create(p),
        Detach = p.Switch("detach"),
        Keep = p.Switch("keep"),
        NoSubreaper = p.Switch("no-subreaper"),
    };

    public static StartOptions Start(ParsedVerb p) => new(Operand(p));

    public static StateOptions State(ParsedVerb p) => new(Operand(p));

    public static KillOptions Kill(ParsedVerb p) => new()
    {
        Id = Operand(p),
        Signal = p.Operands.Count > 1 ? Signals.Parse(p.Operands[1]) : 15,
        All = p.Switch("all"),
    };

    public static DeleteOptions Delete(ParsedVerb p) => new() { Id = Operand(p), Force = p.Switch("force") };

    public static ExecOptions Exec(ParsedVerb p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var (uid, gid) = User(p.Value("user"));
        var options = new ExecOptions
        {
            Id = p.Operands[0],
            Args = p.Operands.Skip(1).ToList(),
            ProcessFile = p.Value("process"),
            ConsoleSocket = p.Value("console-socket"),
            Cwd = p.Value("cwd"),
            Env = [.. p.Values("env")],
            Tty = p.OptionalSwitch("tty"),
            Uid = uid,
            Gid = gid,
            AdditionalGids = [.. p.Values("additional-gids").Select(g => Id32("--additional-gids", g))],
            Detach = p.Switch("detach"),
            PidFile = p.Value("pid-file"),
            ProcessLabel = p.Value("process-label"),
            AppArmorProfile = p.Value("apparmor"),
            NoNewPrivileges = p.OptionalSwitch("no-new-privs"),
            Capabilities = [.. p.Values("cap")],
            PreserveFds = Count(p, "preserve-fds"),
            Cgroups = [.. p.Values("cgroup")],
            IgnorePaused = p.Switch("ignore-paused"),
        };
        if (options.ProcessFile is null && options.Args.Count == 0)
            throw new RuntimeException("exec: no command given: put it after the container id, or use --process FILE");
        foreach (string e in options.Env)
            if (e.IndexOf('=', StringComparison.Ordinal) <= 0) throw new RuntimeException($"exec --env {e}: expected NAME=VALUE");
        foreach (string c in options.Capabilities)
            if (CapabilityNames.Number(c) < 0) throw new RuntimeException($"exec --cap {c}: unknown capability");
        return options;
    }

    public static PauseOptions Pause(ParsedVerb p) => new(Operand(p));

    public static ResumeOptions Resume(ParsedVerb p) => new(Operand(p));

    public static PsOptions Ps(ParsedVerb p) => new()
    {
        Id = Operand(p),
        Format = TableOrJson(p, "ps"),
        PsArgs = p.Operands.Skip(1).ToList(),
    };

    public static ListOptions List(ParsedVerb p) => new() { Format = TableOrJson(p, "list"), Quiet = p.Switch("quiet") };

    public static SpecOptions Spec(ParsedVerb p) => new() { Bundle = p.Value("bundle"), Rootless = p.Switch("rootless") };

    public static EventsOptions Events(ParsedVerb p)
    {
        var interval = p.Value("interval") is { } text ? GoDuration.Parse(text, "--interval") : TimeSpan.FromSeconds(5);
        if (interval <= TimeSpan.Zero) throw new RuntimeException("events --interval: the interval must be greater than 0");
        return new() { Id = Operand(p), Interval = interval, Stats = p.Switch("stats") };
    }

    /// <summary>update: --resources FILE|- (JSON LinuxResources; the other flags are then ignored, as by runc), else the flags.</summary>
    public static UpdateOptions Update(ParsedVerb p, Func<Stream>? stdin = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        string id = Operand(p);
        if (p.Value("resources") is { } file)
            return new() { Id = id, ResourcesFile = file, Resources = ReadResources(file, stdin ?? Console.OpenStandardInput) };
        var r = new LinuxResources();
        if (p.Value("blkio-weight") is { } w)
        {
            ushort weight = Number<ushort>("--blkio-weight", w);
            if (weight != 0) (r.BlockIo ??= new()).Weight = weight;
        }
        if (p.Value("cpu-period") is { } period) (r.Cpu ??= new()).Period = Number<ulong>("--cpu-period", period);
        if (p.Value("cpu-quota") is { } quota) (r.Cpu ??= new()).Quota = Number<long>("--cpu-quota", quota);
        if (p.Value("cpu-share") is { } shares) (r.Cpu ??= new()).Shares = Number<ulong>("--cpu-share", shares);
        if (p.Value("cpu-rt-period") is { } rtPeriod) (r.Cpu ??= new()).RealtimePeriod = Number<ulong>("--cpu-rt-period", rtPeriod);
        if (p.Value("cpu-rt-runtime") is { } rtRuntime) (r.Cpu ??= new()).RealtimeRuntime = Number<long>("--cpu-rt-runtime", rtRuntime);
        if (p.Value("cpuset-cpus") is { } cpus) (r.Cpu ??= new()).Cpus = cpus;
        if (p.Value("cpuset-mems") is { } mems) (r.Cpu ??= new()).Mems = mems;
        if (p.Value("memory") is { } memory) (r.Memory ??= new()).Limit = MemorySize("--memory", memory);
        if (p.Value("memory-reservation") is { } reservation) (r.Memory ??= new()).Reservation = MemorySize("--memory-reservation", reservation);
        if (p.Value("memory-swap") is { } swap) (r.Memory ??= new()).Swap = MemorySize("--memory-swap", swap);
        if (p.Value("pids-limit") is { } pids)
        {
            long limit = Number<long>("--pids-limit", pids);
            if (limit != 0) r.Pids = new PidsResources { Limit = limit };
        }
        return new() { Id = id, Resources = r };
    }

    private static LinuxResources ReadResources(string file, Func<Stream> stdin)
    {
        string what = file == "-" ? "the resources on stdin" : $"--resources {file}";
        try
        {
            using var stream = file == "-" ? stdin() : File.OpenRead(file);
            return JsonSerializer.Deserialize(stream, RuntimeJsonContext.Default.LinuxResources) ?? throw new RuntimeException($"{what}: empty");
        }
        catch (JsonException e) { throw new RuntimeException($"{what}: {ErrorText.Json(e)}"); }
        catch (FileNotFoundException) { throw new RuntimeException($"{what}: no such file"); }
        catch (UnauthorizedAccessException) { throw new RuntimeException($"{what}: permission denied"); }
        catch (IOException e) { throw new RuntimeException($"{what}: {ErrorText.Describe(e)}"); }
    }

    private static string Operand(ParsedVerb p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return p.Operands[0];
    }

    private static string TableOrJson(ParsedVerb p, string verb) => p.Value("format") switch
    {
        null or "table" => "table",
        "json" => "json",
        var other => throw new RuntimeException($"{verb} --format {other}: use table or json"),
    };

    private static int Count(ParsedVerb p, string flag) =>
        p.Value(flag) is { } text ? (int)Number<uint>($"--{flag}", text) : 0;

    private static T Number<T>(string flag, string text) where T : struct, INumber<T>
    {
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out T value)) return value;
        throw new RuntimeException($"invalid value \"{text}\" for flag {flag}: expected {(T.IsNegative(T.Zero - T.One) ? "an integer" : "a non-negative integer")}");
    }

    private static uint Id32(string flag, string text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id
            : throw new RuntimeException($"invalid value \"{text}\" for flag {flag}: expected a non-negative number");

    /// <summary>--user UID[:GID] (numbers, as runc takes them).</summary>
    public static (uint? Uid, uint? Gid) User(string? text)
    {
        if (string.IsNullOrEmpty(text)) return (null, null);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string uid = colon < 0 ? text : text[..colon];
        uint? gid = colon < 0 ? null : Id32("--user (gid)", text[(colon + 1)..]);
        return (Id32("--user (uid)", uid), gid);
    }

    /// <summary>
    /// A memory size as runc's update takes it (docker's units.RAMInBytes): "-1" (unlimited), or a number with an
    /// optional binary suffix k, m, g, t, p (optionally followed by "i" and/or "b"), case-insensitive: "512m", "1.5GiB".
    /// </summary>
    public static long MemorySize(string flag, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "-1") return -1;
        string s = text.Trim();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        string number = s[..end], unit = s[end..].TrimStart(' ').ToLowerInvariant();
        if (unit.EndsWith('b')) unit = unit[..^1];
        if (unit.EndsWith('i')) unit = unit[..^1];
        long multiplier = unit switch
        {
            "" => 1L,
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            "p" => 1L << 50,
            _ => 0,
        };
        if (multiplier == 0 || number.Length == 0 || number.StartsWith('.') ||
            !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
            throw new RuntimeException($"invalid value \"{text}\" for flag {flag}: expected a size such as 512m or 1g, or -1");
        decimal bytes = value * multiplier;
        if (bytes > long.MaxValue) throw new RuntimeException($"invalid value \"{text}\" for flag {flag}: too large");
        return (long)bytes;
    }
}
