using Skiff.Runtime.Config;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>exec [flags] ID COMMAND [ARG...] | exec [flags] --process FILE ID</summary>
public static class ExecCommand
{
    public static int Run(RuntimeOptions global, ExecOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        var store = new StateStore(global.Root);
        var record = store.Load(o.Id);
        var process = ExecProcess.Build(o, BundleConfig.Load(record.Bundle));
        SecurityLabels.ValidateProcess(process);
        // TODO(lead): the exec lifecycle (join the container's namespaces and cgroup, run `process` through the
        // launch plan, --detach, --pid-file, --console-socket, --preserve-fds, --cgroup, --ignore-paused).
        throw new RuntimeException("exec is not supported yet");
    }
}
