using Skiff.Interop;

namespace Skiff.Runtime.Init;

/// <summary>What travels between `create` and the container's init. One SOCK_SEQPACKET message each: a kind byte, a body (<see cref="InitWire"/>), and fds (SCM_RIGHTS).</summary>
public enum InitMessageKind : byte
{
    /// <summary>create → init: <see cref="InitSetup"/>, with fds [config.json, exec.fifo (O_PATH), seccomp listener socket?].</summary>
    Setup = 1,
    /// <summary>init → create: the root is built and the program found; waiting for start.</summary>
    Ready = 2,
    /// <summary>init → create: <see cref="InitError"/>; the init exits with its code.</summary>
    Error = 3,
    /// <summary>init → create: a text for the runtime's log (an rlimit clamped, ...).</summary>
    Warning = 4,
    /// <summary>init → create: the pty master (one fd) for --console-socket.</summary>
    Console = 5,
    /// <summary>init → create: a text naming the hook kind (prestart, createRuntime) the runtime must run now.</summary>
    RunHooks = 6,
    /// <summary>create → init: the hooks ran; an empty body, or a text with the failure.</summary>
    HooksDone = 7,
    /// <summary>
    /// create → init, after <see cref="Setup"/>: the init is in its cgroup. create makes the cgroup and moves the
    /// init in while the init starts (the first write to cgroup.procs waits for an RCU grace period, often
    /// longer than the init's own start); the init waits for this before it unshares a cgroup namespace,
    /// mounts anything or asks for hooks, and it never forks or executes the program before.
    /// </summary>
    CgroupJoined = 8,
}

/// <summary>What the init needs besides config.json.</summary>
public sealed class InitSetup
{
    public string Id { get; set; } = "";
    public string Bundle { get; set; } = "";
    /// <summary>The init's pid as the host (the runtime) sees it: hooks and the seccomp listener get this one.</summary>
    public int Pid { get; set; }
    public bool NoPivot { get; set; }
    public bool NoNewKeyring { get; set; }
    /// <summary>--preserve-fds: fds 3..3+N-1 pass to the container's process.</summary>
    public int PreserveFds { get; set; }
    /// <summary>create's --console-socket was given: process.terminal makes a pty and sends its master back.</summary>
    public bool ConsoleSocket { get; set; }
    /// <summary>A seccomp listener socket (connected by create to linux.seccomp.listenerPath) is among the fds.</summary>
    public bool SeccompListener { get; set; }
    /// <summary>Indexes in config.mounts of the idmapped trees create prepared; their fds follow the others, in this order.</summary>
    public List<int>? IdmappedMounts { get; set; }
    /// <summary>linux.seccomp as create compiled it (checking it): the init installs it without compiling again.</summary>
    public Seccomp.SeccompFilter? Seccomp { get; set; }
}

public sealed class InitError
{
    public int Code { get; set; } = 1;
    public string Message { get; set; } = "";
}

/// <summary>
/// The bodies of the init channel's messages: fields in a fixed order through BinaryWriter (strings with their
/// length first). Both ends are the same binary, so there is no versioning; and, unlike JSON, a fresh init pays
/// no serializer start-up (System.Text.Json's metadata costs a new NativeAOT process a millisecond or more).
/// </summary>
internal static class InitWire
{
    public static byte[] Encode(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) write(writer);
        return stream.ToArray();
    }

    public static T Decode<T>(InitMessage m, Func<BinaryReader, T> read)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(m.Body), System.Text.Encoding.UTF8);
            T value = read(reader);
            if (reader.BaseStream.Position != m.Body.Length) throw new IOException("bytes left over");
            return value;
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException)
        {
            throw new RuntimeException($"the init channel sent a malformed {m.Kind} message");
        }
    }

    public static byte[] Setup(InitSetup s) => Encode(w =>
    {
        w.Write(s.Id); w.Write(s.Bundle); w.Write(s.Pid); w.Write(s.NoPivot); w.Write(s.NoNewKeyring); w.Write(s.PreserveFds);
        w.Write(s.ConsoleSocket); w.Write(s.SeccompListener);
        w.Write(s.IdmappedMounts?.Count ?? -1);
        foreach (int index in s.IdmappedMounts ?? []) w.Write(index);
        w.Write(s.Seccomp?.Program.Length ?? -1);
        if (s.Seccomp is { } filter) { w.Write(filter.Program); w.Write(filter.Flags); w.Write(filter.UsesListener); }
    });

    public static InitSetup Setup(InitMessage m) => Decode(m, r =>
    {
        var s = new InitSetup
        {
            Id = r.ReadString(), Bundle = r.ReadString(), Pid = r.ReadInt32(), NoPivot = r.ReadBoolean(), NoNewKeyring = r.ReadBoolean(),
            PreserveFds = r.ReadInt32(), ConsoleSocket = r.ReadBoolean(), SeccompListener = r.ReadBoolean(),
        };
        int count = r.ReadInt32();
        if (count > InitChannelLimits.MaxIdmappedMounts) throw new FormatException("too many idmapped mounts");
        if (count >= 0)
        {
            s.IdmappedMounts = new List<int>(count);
            for (int i = 0; i < count; i++) s.IdmappedMounts.Add(r.ReadInt32());
        }
        int program = r.ReadInt32();
        if (program > InitChannelLimits.MaxMessage) throw new FormatException("a seccomp program larger than the message");
        if (program >= 0)
        {
            byte[] bytes = r.ReadBytes(program);
            if (bytes.Length != program) throw new FormatException("a truncated seccomp program");
            s.Seccomp = new Seccomp.SeccompFilter(bytes, r.ReadUInt32(), r.ReadBoolean());
        }
        return s;
    });
}

internal static class InitChannelLimits
{
    public const int MaxIdmappedMounts = 4096;
    public const int MaxMessage = 64 * 1024;
}

/// <summary>One message as received: its kind, body and the fds that came with it (owned by the receiver).</summary>
public sealed class InitMessage(InitMessageKind kind, byte[] body, List<SafeFd> fds) : IDisposable
{
    public InitMessageKind Kind { get; } = kind;
    public byte[] Body { get; } = body;
    public List<SafeFd> Fds { get; } = fds;

    /// <summary>Hands fd <paramref name="index"/> to the caller (it is no longer disposed with the message).</summary>
    public SafeFd TakeFd(int index)
    {
        if (index >= Fds.Count) throw new RuntimeException($"the init channel's {Kind} message lacks fd #{index}");
        var fd = Fds[index];
        Fds[index] = new SafeFd();
        return fd;
    }

    public void Dispose()
    {
        foreach (var fd in Fds) fd.Dispose();
    }
}

/// <summary>
/// The socketpair between `create` (the runtime) and the container's init: typed messages instead of fixed
/// fd numbers and text lines. Each message is one SOCK_SEQPACKET datagram, so boundaries are kept.
/// </summary>
public sealed class InitChannel(SafeFd socket) : IDisposable
{
    private const int MaxMessage = InitChannelLimits.MaxMessage;

    public SafeFd Socket { get; } = socket;

    public void Send(InitMessageKind kind, ReadOnlySpan<byte> body = default, params ReadOnlySpan<int> fds)
    {
        if (body.Length > MaxMessage - 1) throw new RuntimeException($"a {kind} message of {body.Length} bytes is too large for the init channel");
        byte[] message = new byte[1 + body.Length];
        message[0] = (byte)kind;
        body.CopyTo(message.AsSpan(1));
        Libc.SendWithFds(Socket.Fd, message, fds);
    }

    public void SendSetup(InitSetup setup, params ReadOnlySpan<int> fds) => Send(InitMessageKind.Setup, InitWire.Setup(setup), fds);

    public void SendError(int code, string message) =>
        Send(InitMessageKind.Error, InitWire.Encode(w => { w.Write(code); w.Write(message.ReplaceLineEndings(" ")); }));

    public void SendText(InitMessageKind kind, string text) => Send(kind, InitWire.Encode(w => w.Write(text)));

    /// <summary>The next message, or null at end of file (the other side closed or died).</summary>
    public InitMessage? Receive()
    {
        byte[] buffer = new byte[MaxMessage];
        var fds = new List<SafeFd>();
        int n;
        try { n = Libc.ReceiveWithFds(Socket.Fd, buffer, fds); }
        catch
        {
            fds.ForEach(f => f.Dispose());
            throw;
        }
        if (n == 0)
        {
            fds.ForEach(f => f.Dispose());
            return null;
        }
        if (!Enum.IsDefined((InitMessageKind)buffer[0]))
        {
            fds.ForEach(f => f.Dispose());
            throw new RuntimeException($"the init channel sent an unknown message kind {buffer[0]}");
        }
        return new InitMessage((InitMessageKind)buffer[0], buffer[1..n], fds);
    }

    public static InitSetup ReadSetup(InitMessage m) => InitWire.Setup(m);
    public static InitError ReadError(InitMessage m) => InitWire.Decode(m, r => new InitError { Code = r.ReadInt32(), Message = r.ReadString() });
    public static string ReadText(InitMessage m) => m.Body.Length == 0 ? "" : InitWire.Decode(m, r => r.ReadString());

    public void Dispose() => Socket.Dispose();
}
