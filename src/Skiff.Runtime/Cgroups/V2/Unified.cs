using Skiff.Interop;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>linux.resources.unified: cgroup v2 files written as given ("memory.high": "1G"). Not on pure v1.</summary>
public static class Unified
{
    public static void Set(CgroupDir dir, IReadOnlyDictionary<string, string> files, IReadOnlySet<string> controllers)
    {
        foreach (var (name, value) in files)
        {
            if (name.Contains('/', StringComparison.Ordinal) || name is "" or "." or "..")
                throw new RuntimeException($"unified resource \"{name}\" must be a file name (no slashes)");
            try { dir.Write(name, value); }
            catch (ErrnoException e) when (e.Errno is Errno.ENOENT or Errno.EPERM or Errno.EACCES)
            {
                string[] parts = name.Split('.', 2);
                if (parts.Length != 2) throw new RuntimeException($"unified resource \"{name}\" must be in the form CONTROLLER.PARAMETER");
                if (parts[0] != "cgroup" && !controllers.Contains(parts[0]))
                    throw new RuntimeException($"unified resource \"{name}\" can't be set: controller \"{parts[0]}\" not available");
                throw new RuntimeException($"unable to set unified resource \"{name}\": {e.Message}");
            }
        }
    }
}
