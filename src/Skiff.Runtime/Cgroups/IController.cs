using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups;

/// <summary>
/// One controller in one cgroup version (V1/Memory.cs, V2/Memory.cs, ...): which resources it applies,
/// which files it writes, which statistics it reads.
/// </summary>
public interface IController
{
    /// <summary>The kernel's name of the controller: the v1 hierarchy's, or the one in cgroup.controllers.</summary>
    string Name { get; }

    /// <summary>Whether <paramref name="r"/> asks this controller for anything (a limit the container would lack without it).</summary>
    bool IsSet(LinuxResources r);

    /// <summary>Writes the limits of <paramref name="r"/> this controller owns; unset fields leave the files as they are.</summary>
    void Set(CgroupDir dir, LinuxResources r);

    /// <summary>Adds what this controller knows to <paramref name="stats"/>.</summary>
    void AddStats(CgroupDir dir, CgroupStats stats);
}
