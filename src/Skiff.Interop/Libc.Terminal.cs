using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Pseudo-terminals for process.terminal: a pty made in the container's own devpts, its master handed to
// --console-socket, its slave the process's controlling terminal.
public static partial class Libc
{
    public const ulong TIOCSCTTY = 0x540E, TIOCSWINSZ = 0x5414, TIOCGWINSZ = 0x5413, TIOCGPTN = 0x80045430,
        TIOCSPTLCK = 0x40045431, TIOCGPTPEER = 0x5441;

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int IoctlRaw(int fd, ulong request, void* arg);

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlValue(int fd, ulong request, nint arg);

    /// <summary>Unlocks a pty master and opens its slave through the master (TIOCGPTPEER: no path is walked).</summary>
    public static unsafe SafeFd OpenPtySlave(int master)
    {
        int unlock = 0;
        Check(IoctlRaw(master, TIOCSPTLCK, &unlock), "unlocking the pty");
        int fd = IoctlValue(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd == -1) ThrowErrno("opening the pty's slave (TIOCGPTPEER)");
        return new SafeFd(fd);
    }

    /// <summary>The pty number of a master (/dev/pts/N).</summary>
    public static unsafe int PtyNumber(int master)
    {
        int n = 0;
        Check(IoctlRaw(master, TIOCGPTN, &n), "reading the pty number");
        return n;
    }

    public static unsafe void SetWindowSize(int fd, ushort rows, ushort columns)
    {
        ushort* ws = stackalloc ushort[4];
        ws[0] = rows; ws[1] = columns; ws[2] = 0; ws[3] = 0;
        Check(IoctlRaw(fd, TIOCSWINSZ, ws), "setting the terminal size");
    }

    public static unsafe (ushort Rows, ushort Columns) GetWindowSize(int fd)
    {
        ushort* ws = stackalloc ushort[4];
        Check(IoctlRaw(fd, TIOCGWINSZ, ws), "reading the terminal size");
        return (ws[0], ws[1]);
    }

    [LibraryImport(Name, EntryPoint = "isatty")]
    public static partial int IsATty(int fd);

    [LibraryImport(Name, EntryPoint = "tcgetattr", SetLastError = true)]
    private static unsafe partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport(Name, EntryPoint = "tcsetattr", SetLastError = true)]
    private static unsafe partial int TcSetAttr(int fd, int when, byte* termios);

    [LibraryImport(Name, EntryPoint = "cfmakeraw")]
    private static unsafe partial void CfMakeRaw(byte* termios);

    private const int TermiosBytes = 64; // struct termios is 60 bytes on x86_64 and aarch64 (glibc)
    private const int TCSANOW = 0;

    /// <summary>Puts the terminal on <paramref name="fd"/> in raw mode; returns its settings before, for <see cref="RestoreTerminal"/>.</summary>
    public static unsafe byte[] MakeRaw(int fd)
    {
        byte[] saved = new byte[TermiosBytes];
        byte* raw = stackalloc byte[TermiosBytes];
        fixed (byte* s = saved) Check(TcGetAttr(fd, s), "reading the terminal's settings");
        saved.CopyTo(new Span<byte>(raw, TermiosBytes));
        CfMakeRaw(raw);
        Check(TcSetAttr(fd, TCSANOW, raw), "putting the terminal in raw mode");
        return saved;
    }

    public static unsafe void RestoreTerminal(int fd, byte[] saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        fixed (byte* s = saved) TcSetAttr(fd, TCSANOW, s);
    }
}

// Process groups and the terminal's foreground group (the container init's job control).
public static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "setpgid", SetLastError = true)]
    public static partial int SetPgid(int pid, int pgid);

    [LibraryImport(Name, EntryPoint = "tcsetpgrp", SetLastError = true)]
    public static partial int TcSetPgrp(int fd, int pgrp);
}
