using System.Globalization;
using System.Text;
using Skiff.Interop;

namespace Skiff.Runtime.Init;

/// <summary>
/// The one message the container init sends to `create` over the sync pipe: "ok", or an exit
/// code and a one-line error ("127 executable file `x` not found in $PATH").
/// </summary>
public static class SyncMessage
{
    public const int InitFd = 3;
    public const int FifoFd = 4;
    public const int ConfigFd = 5;

    public static void SendReady(int fd) => Libc.WriteAll(fd, "ok\n"u8);

    public static void SendError(int fd, int exitCode, string message) =>
        Libc.WriteAll(fd, Encoding.UTF8.GetBytes($"{exitCode} {message.ReplaceLineEndings(" ")}\n"));

    /// <summary>Reads the message; returns null when ready, or throws the init's error.</summary>
    public static void Receive(int fd)
    {
        string text = Encoding.UTF8.GetString(Libc.ReadToEnd(fd, 64 * 1024)).TrimEnd('\n');
        if (text == "ok") return;
        if (text.Length == 0) throw new RuntimeException("container init exited before it was ready");
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && int.TryParse(text.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out int code))
            throw new RuntimeException(text[(space + 1)..], code);
        throw new RuntimeException(text);
    }
}
