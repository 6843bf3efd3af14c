using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Interop;

namespace Skiff.Runtime.Init;

/// <summary>What travels between `create` and the container's init. One SOCK_SEQPACKET message each: a kind byte, a JSON body, and fds (SCM_RIGHTS).</summary>
public enum InitMessageKind : byte
{
    /// <summary>create → init: <see cref="InitSetup"/>, with fds [config.json, exec.fifo (O_PATH), seccomp listener socket?].</summary>
    Setup = 1,
    /// <summary>init → create: the root is built and the program found; waiting for start.</summary>
    Ready = 2,
    /// <summary>init → create: <see cref="InitError"/>; the init exits with its code.</summary>
    Error = 3,
    /// <summary>init → create: <see cref="InitText"/> for the runtime's log (an rlimit clamped, ...).</summary>
    Warning = 4,
    /// <summary>init → create: the pty master (one fd) for --console-socket.</summary>
    Console = 5,
    /// <summary>init → create: <see cref="InitText"/> naming the hook kind (prestart, createRuntime) the runtime must run now.</summary>
    RunHooks = 6,
    /// <summary>create → init: the hooks ran; an empty body, or <see cref="InitText"/> with the failure.</summary>
    HooksDone = 7,
}

/// <summary>What the init needs besides config.json.</summary>
public sealed class InitSetup
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    /// <summary>The init's pid as the host (the runtime) sees it: hooks and the seccomp listener get this one.</summary>
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("noPivot")] public bool NoPivot { get; set; }
    [JsonPropertyName("noNewKeyring")] public bool NoNewKeyring { get; set; }
    /// <summary>--preserve-fds: fds 3..3+N-1 pass to the container's process.</summary>
    [JsonPropertyName("preserveFds")] public int PreserveFds { get; set; }
    /// <summary>create's --console-socket was given: process.terminal makes a pty and sends its master back.</summary>
    [JsonPropertyName("consoleSocket")] public bool ConsoleSocket { get; set; }
    /// <summary>A seccomp listener socket (connected by create to linux.seccomp.listenerPath) is among the fds.</summary>
    [JsonPropertyName("seccompListener")] public bool SeccompListener { get; set; }
    /// <summary>Indexes in config.mounts of the idmapped trees create prepared; their fds follow the others, in this order.</summary>
    [JsonPropertyName("idmappedMounts")] public List<int>? IdmappedMounts { get; set; }
}

public sealed class InitError
{
    [JsonPropertyName("code")] public int Code { get; set; } = 1;
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

public sealed class InitText
{
    [JsonPropertyName("text")] public string Text { get; set; } = "";
}

[JsonSerializable(typeof(InitSetup))]
[JsonSerializable(typeof(InitError))]
[JsonSerializable(typeof(InitText))]
internal sealed partial class InitJsonContext : JsonSerializerContext;

/// <summary>One message as received: its kind, body and the fds that came with it (owned by the receiver).</summary>
public sealed class InitMessage(InitMessageKind kind, byte[] body, List<SafeFd> fds) : IDisposable
{
    public InitMessageKind Kind { get; } = kind;
    public byte[] Body { get; } = body;
    public List<SafeFd> Fds { get; } = fds;

    public T Read<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try { return JsonSerializer.Deserialize(Body, type) ?? throw new RuntimeException($"the init channel sent an empty {Kind} message"); }
        catch (JsonException e) { throw new RuntimeException($"the init channel sent a malformed {Kind} message: {e.Message}"); }
    }

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
    private const int MaxMessage = 64 * 1024;

    public SafeFd Socket { get; } = socket;

    public void Send(InitMessageKind kind, ReadOnlySpan<byte> body = default, params ReadOnlySpan<int> fds)
    {
        if (body.Length > MaxMessage - 1) throw new RuntimeException($"a {kind} message of {body.Length} bytes is too large for the init channel");
        byte[] message = new byte[1 + body.Length];
        message[0] = (byte)kind;
        body.CopyTo(message.AsSpan(1));
        Libc.SendWithFds(Socket.Fd, message, fds);
    }

    public void Send<T>(InitMessageKind kind, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, params ReadOnlySpan<int> fds) =>
        Send(kind, JsonSerializer.SerializeToUtf8Bytes(value, type), fds);

    public void SendError(int code, string message) =>
        Send(InitMessageKind.Error, new InitError { Code = code, Message = message.ReplaceLineEndings(" ") }, InitJsonContext.Default.InitError);

    public void SendText(InitMessageKind kind, string text) => Send(kind, new InitText { Text = text }, InitJsonContext.Default.InitText);

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

    public static InitSetup ReadSetup(InitMessage m) => m.Read(InitJsonContext.Default.InitSetup);
    public static InitError ReadError(InitMessage m) => m.Read(InitJsonContext.Default.InitError);
    public static string ReadText(InitMessage m) => m.Body.Length == 0 ? "" : m.Read(InitJsonContext.Default.InitText).Text;

    public void Dispose() => Socket.Dispose();
}
