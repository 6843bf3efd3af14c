using System.Runtime.InteropServices;
using System.Text;

namespace Skiff.Interop;

// Unix sockets: the runtime-to-init channel (SOCK_SEQPACKET pairs), descriptors passed with SCM_RIGHTS
// (the console's pty master, a seccomp listener), and connections to a path (--console-socket, listenerPath).
public static partial class Libc
{
    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    private const int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000, MSG_NOSIGNAL = 0x4000, MSG_CTRUNC = 8, MSG_TRUNC = 0x20;

    /// <summary>At most this many descriptors travel with one message.</summary>
    public const int MaxFdsPerMessage = 16;

    [LibraryImport(Name, EntryPoint = "socketpair", SetLastError = true)]
    private static unsafe partial int SocketPairRaw(int domain, int type, int protocol, int* fds);

    [LibraryImport(Name, EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketRaw(int domain, int type, int protocol);

    [LibraryImport(Name, EntryPoint = "connect", SetLastError = true)]
    private static unsafe partial int ConnectRaw(int fd, byte* addr, int addrlen);

    [LibraryImport(Name, EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int BindRaw(int fd, byte* addr, int addrlen);

    [LibraryImport(Name, EntryPoint = "listen", SetLastError = true)]
    private static partial int ListenRaw(int fd, int backlog);

    [LibraryImport(Name, EntryPoint = "accept4", SetLastError = true)]
    private static partial int Accept4Raw(int fd, nint addr, nint addrlen, int flags);

    [LibraryImport(Name, EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SendMsgRaw(int fd, byte* msg, int flags);

    [LibraryImport(Name, EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint RecvMsgRaw(int fd, byte* msg, int flags);

    /// <summary>A connected pair of AF_UNIX sockets of <paramref name="type"/>, close-on-exec.</summary>
    public static unsafe (SafeFd A, SafeFd B) SocketPair(int type = SOCK_SEQPACKET)
    {
        int* fds = stackalloc int[2];
        Check(SocketPairRaw(AF_UNIX, type | SOCK_CLOEXEC, 0, fds), "socketpair");
        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }

    /// <summary>Connects a new close-on-exec unix socket of <paramref name="type"/> to <paramref name="path"/>.</summary>
    public static unsafe SafeFd ConnectUnix(string path, int type = SOCK_STREAM)
    {
        using var dir = ShortPathDirectory(ref path);
        byte* addr = stackalloc byte[110];
        byte[] name = UnixAddress(path, addr);
        var fd = new SafeFd(Check(SocketRaw(AF_UNIX, type | SOCK_CLOEXEC, 0), "socket"));
        try
        {
            int r;
            do r = ConnectRaw(fd.Fd, addr, 2 + name.Length + 1);
            while (r == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR);
            if (r == -1) ThrowErrno($"connect to {path}");
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A new close-on-exec unix socket of <paramref name="type"/> listening at <paramref name="path"/> (which
    /// must not exist), readable by its owner only.
    /// </summary>
    public static unsafe SafeFd ListenUnix(string path, int type = SOCK_STREAM, int backlog = 16)
    {
        using var dir = ShortPathDirectory(ref path);
        byte* addr = stackalloc byte[110];
        byte[] name = UnixAddress(path, addr);
        var fd = new SafeFd(Check(SocketRaw(AF_UNIX, type | SOCK_CLOEXEC, 0), "socket"));
        try
        {
            uint old = Umask(0x3f); // 077
            try { Check(BindRaw(fd.Fd, addr, 2 + name.Length + 1), $"bind to {path}"); }
            finally { Umask(old); }
            Check(ListenRaw(fd.Fd, backlog), $"listen on {path}");
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>accept4 of one connection, close-on-exec (and non-blocking when asked); null when none is waiting.</summary>
    public static SafeFd? Accept(int listener, bool nonBlocking = false)
    {
        while (true)
        {
            int fd = Accept4Raw(listener, 0, 0, SOCK_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0));
            if (fd >= 0) return new SafeFd(fd);
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR || errno == Errno.ECONNABORTED) continue;
            if (errno == Errno.EAGAIN) return null;
            throw new ErrnoException("accept", errno);
        }
    }

    /// <summary>
    /// A socket path has at most 107 bytes: a longer one is reached through its directory, opened here, as
    /// /proc/self/fd/N/NAME (the returned descriptor must stay open until bind or connect returns).
    /// </summary>
    private static SafeFd? ShortPathDirectory(ref string path)
    {
        if (Encoding.UTF8.GetByteCount(path) < 108) return null;
        string? dir = System.IO.Path.GetDirectoryName(path);
        string name = System.IO.Path.GetFileName(path);
        if (string.IsNullOrEmpty(dir) || name.Length == 0) return null;
        var fd = OpenFd(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        path = $"/proc/self/fd/{fd.Fd}/{name}";
        return fd;
    }

    /// <summary>Fills a sockaddr_un (110 bytes at <paramref name="addr"/>) and returns the path's bytes.</summary>
    private static unsafe byte[] UnixAddress(string path, byte* addr)
    {
        byte[] name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= 108) throw new IOException($"socket path {path} is longer than 107 bytes");
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = AF_UNIX;
        name.CopyTo(new Span<byte>(addr + 2, 108));
        return name;
    }

    /// <summary>Sends one message with <paramref name="fds"/> attached (SCM_RIGHTS); never raises SIGPIPE.</summary>
    public static unsafe void SendWithFds(int socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        if (fds.Length > MaxFdsPerMessage) throw new ArgumentException($"at most {MaxFdsPerMessage} fds per message", nameof(fds));
        int controlLength = fds.Length == 0 ? 0 : CmsgSpace(fds.Length * 4);
        byte* control = stackalloc byte[Math.Max(controlLength, 1)];
        new Span<byte>(control, Math.Max(controlLength, 1)).Clear();
        if (fds.Length > 0)
        {
            *(nuint*)control = (nuint)CmsgLen(fds.Length * 4); // cmsg_len
            *(int*)(control + 8) = SOL_SOCKET;                 // cmsg_level
            *(int*)(control + 12) = SCM_RIGHTS;                // cmsg_type
            for (int i = 0; i < fds.Length; i++) ((int*)(control + 16))[i] = fds[i];
        }
        fixed (byte* p = data)
        {
            byte dummy = 0;
            long* iov = stackalloc long[2];
            iov[0] = data.Length == 0 ? (long)&dummy : (long)p; // a message carries at least one byte
            iov[1] = Math.Max(data.Length, 1);
            byte* msg = stackalloc byte[56];                    // struct msghdr
            new Span<byte>(msg, 56).Clear();
            *(long*)(msg + 16) = (long)iov;                     // msg_iov
            *(long*)(msg + 24) = 1;                             // msg_iovlen
            if (controlLength > 0)
            {
                *(long*)(msg + 32) = (long)control;             // msg_control
                *(long*)(msg + 40) = controlLength;             // msg_controllen
            }
            nint r;
            do r = SendMsgRaw(socket, msg, MSG_NOSIGNAL);
            while (r == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR);
            if (r == -1) ThrowErrno("sendmsg");
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="buffer"/>; the descriptors that came with it are owned by the
    /// caller (close-on-exec). Returns the byte count (0 at end of file). A truncated message is an error.
    /// </summary>
    public static unsafe int ReceiveWithFds(int socket, Span<byte> buffer, List<SafeFd> fds)
    {
        int controlLength = CmsgSpace(MaxFdsPerMessage * 4);
        byte* control = stackalloc byte[controlLength];
        fixed (byte* p = buffer)
        {
            long* iov = stackalloc long[2];
            iov[0] = (long)p;
            iov[1] = buffer.Length;
            byte* msg = stackalloc byte[56];
            new Span<byte>(msg, 56).Clear();
            *(long*)(msg + 16) = (long)iov;
            *(long*)(msg + 24) = 1;
            *(long*)(msg + 32) = (long)control;
            *(long*)(msg + 40) = controlLength;
            nint r;
            do r = RecvMsgRaw(socket, msg, MSG_CMSG_CLOEXEC);
            while (r == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR);
            if (r == -1) ThrowErrno("recvmsg");
            long usedControl = *(long*)(msg + 40);
            int flags = *(int*)(msg + 48);
            for (long off = 0; off + 16 <= usedControl;)
            {
                long len = (long)*(nuint*)(control + off);
                if (len < 16) break;
                if (*(int*)(control + off + 8) == SOL_SOCKET && *(int*)(control + off + 12) == SCM_RIGHTS)
                    for (long i = 0; i < (len - 16) / 4; i++) fds.Add(new SafeFd(((int*)(control + off + 16))[i]));
                off += (len + 7) & ~7L;
            }
            if ((flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) throw new IOException("a message on the runtime's channel was larger than expected");
            return (int)r;
        }
    }

    private static int CmsgLen(int dataLength) => 16 + dataLength;
    private static int CmsgSpace(int dataLength) => 16 + ((dataLength + 7) & ~7);
}
