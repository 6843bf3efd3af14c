using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>create [--bundle DIR] [--console-socket SOCK] [--pid-file F] [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID</summary>
public static class CreateCommand
{
    public static int Run(RuntimeOptions global, CreateOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        CheckPending(o);
        using var init = ContainerCreator.Create(new StateStore(global.Root), o.Id, o.Bundle, o.PidFile);
        return 0;
    }

    /// <summary>The create options today's lifecycle has no parameter for (shared with run).</summary>
    internal static void CheckPending(CreateOptions o)
    {
        // TODO(lead): ContainerCreator takes o.ConsoleSocket (pty master over SCM_RIGHTS); refused until then, since a
        // caller waiting on the socket would wait forever.
        if (o.ConsoleSocket is not null) throw new RuntimeException("--console-socket: terminals are not supported yet");
        // TODO(lead): o.PreserveFds - fds 3 .. 3+N-1 (after $LISTEN_FDS ones) go on to the container process; refused
        // until then, since a container expecting them would run without them.
        if (o.PreserveFds > 0) throw new RuntimeException("--preserve-fds: passing extra descriptors to the container is not supported yet");
        // TODO(lead, mounts): o.NoPivot (MS_MOVE + chroot instead of pivot_root). Accepted meanwhile: pivot_root is
        // used, which is the safer of the two and fails with a clear error where --no-pivot is needed (ramdisk root).
        // TODO(lead): o.NoNewKeyring. Today no new session keyring is made at all, so the container keeps the
        // caller's - which is what --no-new-keyring asks for; without the flag runc joins a new keyring.
    }
}
