using System.Runtime.InteropServices;
using System.Text.Json;
using Skiff.Oci.Runtime;
using Skiff.Interop;

namespace Skiff.Engine.Security;

/// <summary>
/// The linux.seccomp of a container, as podman 4.3 chooses it: podman's default profile (embedded, see
/// seccomp.json.NOTICE) or the file of --security-opt seccomp=PATH, turned into the spec's form for the container's
/// capability bounding set and the host's architecture; none for seccomp=unconfined, nor for --privileged unless
/// a profile of its own is given.
/// </summary>
public static class SeccompPolicy
{
    /// <summary>Where podman's default profile lives; naming it (or the override) is the same as the default.</summary>
    public const string DefaultProfilePath = "/usr/share/containers/seccomp.json";
    public const string OverrideProfilePath = "/etc/containers/seccomp.json";
    /// <summary>A profile file is untrusted input: larger ones are refused (podman's default is about 20 KiB).</summary>
    public const long MaxProfileBytes = 4 << 20;

    /// <summary>
    /// The container's linux.seccomp, or null for no filter.
    /// </summary>
    /// <param name="securityOpt">The value of --security-opt seccomp=VALUE: a profile's path or "unconfined"; null or
    /// empty when the option was not given.</param>
    /// <param name="capabilities">The capability bounding set (CAP_SYS_ADMIN or SYS_ADMIN) the container gets.</param>
    /// <param name="privileged">--privileged: no filter unless <paramref name="securityOpt"/> names a profile of its own.</param>
    /// <param name="native">The host's architecture (the process's when null).</param>
    public static LinuxSeccomp? For(string? securityOpt, IReadOnlyCollection<string> capabilities, bool privileged, Architecture? native = null)
    {
        if (securityOpt == "unconfined") return null;
        bool ownProfile = !string.IsNullOrEmpty(securityOpt) && securityOpt != DefaultProfilePath && securityOpt != OverrideProfilePath;
        if (privileged && !ownProfile) return null;
        var arch = native ?? RuntimeInformation.ProcessArchitecture;
        if (string.IsNullOrEmpty(securityOpt))
            return Convert(DefaultProfile(), "podman's default seccomp profile", capabilities, arch);
        return Convert(ReadProfile(securityOpt), securityOpt, capabilities, arch);
    }

    /// <summary>The embedded copy of podman's default profile.</summary>
    internal static byte[] DefaultProfile()
    {
        using var stream = typeof(SeccompPolicy).Assembly.GetManifestResourceStream("Skiff.Engine.Security.seccomp.json")
            ?? throw new InvalidOperationException("the default seccomp profile is not embedded in Skiff.Engine");
        using var copy = new MemoryStream((int)stream.Length);
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static byte[] ReadProfile(string path)
    {
        if (Directory.Exists(path)) throw new EngineException($"seccomp profile {path}: is a directory");
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            if (file.CanSeek && file.Length > MaxProfileBytes)
                throw new EngineException($"seccomp profile {path}: larger than {MaxProfileBytes} bytes");
            // a device or pipe may say nothing of its length, or lie: read at most one byte past the limit
            using var bytes = new MemoryStream();
            var chunk = new byte[64 << 10];
            int n;
            while ((n = file.Read(chunk, 0, (int)Math.Min(chunk.Length, MaxProfileBytes + 1 - bytes.Length))) > 0)
            {
                bytes.Write(chunk, 0, n);
                if (bytes.Length > MaxProfileBytes)
                    throw new EngineException($"seccomp profile {path}: larger than {MaxProfileBytes} bytes");
            }
            return bytes.ToArray();
        }
        catch (FileNotFoundException) { throw new EngineException($"seccomp profile {path}: no such file"); }
        catch (DirectoryNotFoundException) { throw new EngineException($"seccomp profile {path}: no such file"); }
        catch (UnauthorizedAccessException) { throw new EngineException($"seccomp profile {path}: permission denied"); }
        catch (IOException e) { throw new EngineException($"seccomp profile {path}: cannot read it ({ErrorText.Of(e)})"); }
    }

    /// <summary>containers/common's setupSeccomp (v0.50, podman 4.3): the profile for these capabilities and architecture.</summary>
    internal static LinuxSeccomp? Convert(byte[] json, string source, IReadOnlyCollection<string> capabilities, Architecture native)
    {
        PodmanSeccompProfile profile;
        try
        {
            profile = JsonSerializer.Deserialize(json, PodmanSeccompJsonContext.Default.PodmanSeccompProfile)
                ?? throw new EngineException($"seccomp profile {source}: empty (null)");
        }
        catch (JsonException e) { throw new EngineException($"seccomp profile {source}: not a valid profile: {OneLine(e.Message)}"); }

        if (string.IsNullOrEmpty(profile.DefaultAction) && (profile.Syscalls?.Count ?? 0) == 0) return null;
        if (string.IsNullOrEmpty(profile.DefaultAction)) throw new EngineException($"seccomp profile {source}: no defaultAction");
        CheckAction(profile.DefaultAction, source, "defaultAction");
        if (profile.Architectures is { Count: > 0 } && profile.ArchMap is { Count: > 0 })
            throw new EngineException($"seccomp profile {source}: both architectures and archMap are given; use one of them");

        string nativeName = NativeName(native);
        var result = new LinuxSeccomp
        {
            DefaultAction = profile.DefaultAction,
            DefaultErrnoRet = profile.DefaultErrnoRet,
            Flags = profile.Flags is { Count: > 0 } ? [.. profile.Flags] : null,
            ListenerPath = string.IsNullOrEmpty(profile.ListenerPath) ? null : profile.ListenerPath,
            ListenerMetadata = string.IsNullOrEmpty(profile.ListenerMetadata) ? null : profile.ListenerMetadata,
        };
        if (!string.IsNullOrEmpty(profile.DefaultErrno)) result.DefaultErrnoRet = Errno(profile.DefaultErrno, source);
        if (profile.Architectures is { Count: > 0 }) result.Architectures = [.. profile.Architectures];
        if (profile.ArchMap is { Count: > 0 } && NativeScmpArch(nativeName) is { } scmpArch)
        {
            // the entry of the host's architecture: it and its sub-architectures
            var entry = profile.ArchMap.FirstOrDefault(a => a?.Architecture == scmpArch);
            if (entry is not null) result.Architectures = [scmpArch, .. entry.SubArchitectures ?? []];
        }

        var bounding = new HashSet<string>(capabilities.Select(CapName), StringComparer.Ordinal);
        var syscalls = new List<SeccompSyscall>();
        foreach (var call in profile.Syscalls ?? [])
        {
            if (call is null) continue;
            if (call.Excludes?.Arches is { Count: > 0 } xa && xa.Contains(nativeName)) continue;
            if (call.Excludes?.Caps is { Count: > 0 } xc && xc.Any(bounding.Contains)) continue;
            if (call.Includes?.Arches is { Count: > 0 } ia && !ia.Contains(nativeName)) continue;
            if (call.Includes?.Caps is { Count: > 0 } ic && !ic.All(bounding.Contains)) continue;
            if (!string.IsNullOrEmpty(call.Name) && call.Names is { Count: > 0 })
                throw new EngineException($"seccomp profile {source}: a rule gives both name ({call.Name}) and names; use one of them");
            List<string> names = !string.IsNullOrEmpty(call.Name) ? [call.Name] : call.Names ?? [];
            if (names.Count == 0) continue;
            string what = $"the rule for {names[0]}";
            if (string.IsNullOrEmpty(call.Action)) throw new EngineException($"seccomp profile {source}: {what} has no action");
            CheckAction(call.Action, source, what);
            var rule = new SeccompSyscall { Names = [.. names], Action = call.Action, ErrnoRet = call.ErrnoRet };
            if (!string.IsNullOrEmpty(call.Errno)) rule.ErrnoRet = Errno(call.Errno, source);
            if (call.Args is { Count: > 0 })
            {
                rule.Args = [];
                foreach (var arg in call.Args)
                {
                    if (arg is null) continue;
                    if (arg.Op is null || !Operators.Contains(arg.Op))
                        throw new EngineException($"seccomp profile {source}: {what} has an unknown operator \"{arg.Op}\" (known: {string.Join(", ", Operators)})");
                    if (arg.Index > 5) throw new EngineException($"seccomp profile {source}: {what} tests argument {arg.Index}; syscalls have arguments 0 to 5");
                    rule.Args.Add(new SeccompArg { Index = arg.Index, Value = arg.Value, ValueTwo = arg.ValueTwo, Op = arg.Op });
                }
            }
            syscalls.Add(rule);
        }
        if (syscalls.Count > 0) result.Syscalls = syscalls;
        return result;
    }

    private static readonly string[] Actions =
    [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ];

    private static readonly string[] Operators =
    [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    ];

    private static void CheckAction(string action, string source, string what)
    {
        if (!Actions.Contains(action))
            throw new EngineException($"seccomp profile {source}: {what} has an unknown action \"{action}\" (known: {string.Join(", ", Actions)})");
    }

    /// <summary>libseccomp's name of the host architecture, which includes/excludes "arches" name.</summary>
    internal static string NativeName(Architecture native) => native switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "x86",
        Architecture.Arm => "arm",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.RiscV64 => "riscv64",
        _ => native.ToString().ToLowerInvariant(),
    };

    /// <summary>The archMap entry podman picks for the host (only these architectures have one).</summary>
    private static string? NativeScmpArch(string nativeName) => nativeName switch
    {
        "amd64" => "SCMP_ARCH_X86_64",
        "arm64" => "SCMP_ARCH_AARCH64",
        "s390x" => "SCMP_ARCH_S390X",
        _ => null,
    };

    private static string CapName(string cap)
    {
        string upper = cap.Trim().ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }

    private static uint Errno(string name, string source) =>
        ErrnoNames.TryGetValue(name, out uint value) ? value
            : throw new EngineException($"seccomp profile {source}: unknown errno {name} (use a name such as EPERM or ENOSYS, or errnoRet with a number)");

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>The Linux errno names (asm-generic/errno-base.h, errno.h) without their aliases, as Go's x/sys/unix knows them.</summary>
    private static readonly Dictionary<string, uint> ErrnoNames = new(StringComparer.Ordinal)
    {
        ["EPERM"] = 1, ["ENOENT"] = 2, ["ESRCH"] = 3, ["EINTR"] = 4, ["EIO"] = 5, ["ENXIO"] = 6, ["E2BIG"] = 7, ["ENOEXEC"] = 8,
        ["EBADF"] = 9, ["ECHILD"] = 10, ["EAGAIN"] = 11, ["ENOMEM"] = 12, ["EACCES"] = 13, ["EFAULT"] = 14, ["ENOTBLK"] = 15,
        ["EBUSY"] = 16, ["EEXIST"] = 17, ["EXDEV"] = 18, ["ENODEV"] = 19, ["ENOTDIR"] = 20, ["EISDIR"] = 21, ["EINVAL"] = 22,
        ["ENFILE"] = 23, ["EMFILE"] = 24, ["ENOTTY"] = 25, ["ETXTBSY"] = 26, ["EFBIG"] = 27, ["ENOSPC"] = 28, ["ESPIPE"] = 29,
        ["EROFS"] = 30, ["EMLINK"] = 31, ["EPIPE"] = 32, ["EDOM"] = 33, ["ERANGE"] = 34, ["EDEADLK"] = 35, ["ENAMETOOLONG"] = 36,
        ["ENOLCK"] = 37, ["ENOSYS"] = 38, ["ENOTEMPTY"] = 39, ["ELOOP"] = 40, ["ENOMSG"] = 42, ["EIDRM"] = 43, ["ECHRNG"] = 44,
        ["EL2NSYNC"] = 45, ["EL3HLT"] = 46, ["EL3RST"] = 47, ["ELNRNG"] = 48, ["EUNATCH"] = 49, ["ENOCSI"] = 50, ["EL2HLT"] = 51,
        ["EBADE"] = 52, ["EBADR"] = 53, ["EXFULL"] = 54, ["ENOANO"] = 55, ["EBADRQC"] = 56, ["EBADSLT"] = 57, ["EBFONT"] = 59,
        ["ENOSTR"] = 60, ["ENODATA"] = 61, ["ETIME"] = 62, ["ENOSR"] = 63, ["ENONET"] = 64, ["ENOPKG"] = 65, ["EREMOTE"] = 66,
        ["ENOLINK"] = 67, ["EADV"] = 68, ["ESRMNT"] = 69, ["ECOMM"] = 70, ["EPROTO"] = 71, ["EMULTIHOP"] = 72, ["EDOTDOT"] = 73,
        ["EBADMSG"] = 74, ["EOVERFLOW"] = 75, ["ENOTUNIQ"] = 76, ["EBADFD"] = 77, ["EREMCHG"] = 78, ["ELIBACC"] = 79,
        ["ELIBBAD"] = 80, ["ELIBSCN"] = 81, ["ELIBMAX"] = 82, ["ELIBEXEC"] = 83, ["EILSEQ"] = 84, ["ERESTART"] = 85,
        ["ESTRPIPE"] = 86, ["EUSERS"] = 87, ["ENOTSOCK"] = 88, ["EDESTADDRREQ"] = 89, ["EMSGSIZE"] = 90, ["EPROTOTYPE"] = 91,
        ["ENOPROTOOPT"] = 92, ["EPROTONOSUPPORT"] = 93, ["ESOCKTNOSUPPORT"] = 94, ["EOPNOTSUPP"] = 95, ["EPFNOSUPPORT"] = 96,
        ["EAFNOSUPPORT"] = 97, ["EADDRINUSE"] = 98, ["EADDRNOTAVAIL"] = 99, ["ENETDOWN"] = 100, ["ENETUNREACH"] = 101,
        ["ENETRESET"] = 102, ["ECONNABORTED"] = 103, ["ECONNRESET"] = 104, ["ENOBUFS"] = 105, ["EISCONN"] = 106,
        ["ENOTCONN"] = 107, ["ESHUTDOWN"] = 108, ["ETOOMANYREFS"] = 109, ["ETIMEDOUT"] = 110, ["ECONNREFUSED"] = 111,
        ["EHOSTDOWN"] = 112, ["EHOSTUNREACH"] = 113, ["EALREADY"] = 114, ["EINPROGRESS"] = 115, ["ESTALE"] = 116,
        ["EUCLEAN"] = 117, ["ENOTNAM"] = 118, ["ENAVAIL"] = 119, ["EISNAM"] = 120, ["EREMOTEIO"] = 121, ["EDQUOT"] = 122,
        ["ENOMEDIUM"] = 123, ["EMEDIUMTYPE"] = 124, ["ECANCELED"] = 125, ["ENOKEY"] = 126, ["EKEYEXPIRED"] = 127,
        ["EKEYREVOKED"] = 128, ["EKEYREJECTED"] = 129, ["EOWNERDEAD"] = 130, ["ENOTRECOVERABLE"] = 131, ["ERFKILL"] = 132,
        ["EHWPOISON"] = 133,
    };
}
