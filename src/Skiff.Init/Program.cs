namespace Skiff.Init;

/// <summary>skiff-init: `/run/skiff-init -- PROGRAM [ARG...]` as a container's PID 1 (see <see cref="ContainerInit"/>).</summary>
public static class Program
{
    public static int Main(string[] args) => ContainerInit.Run(args is ["--", ..] ? args[1..] : args);
}
