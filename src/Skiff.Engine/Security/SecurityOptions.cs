namespace Skiff.Engine.Security;

/// <summary>--security-opt, parsed as podman 4.3 takes it.</summary>
public sealed class SecurityOptions
{
    /// <summary>seccomp=PATH: a profile file; null for the default profile.</summary>
    public string? SeccompProfile { get; private set; }
    /// <summary>seccomp=unconfined: no filter.</summary>
    public bool SeccompUnconfined { get; private set; }
    /// <summary>no-new-privileges[=true]: the process cannot gain privileges through execve (setuid, file caps).</summary>
    public bool NoNewPrivileges { get; private set; }
    /// <summary>mask=/a:/b: more paths masked; unmask=ALL or /a:/b: paths taken out of the masked list.</summary>
    public List<string> Mask { get; } = [];
    public List<string> Unmask { get; } = [];

    public static SecurityOptions Parse(IReadOnlyList<string> values)
    {
        var o = new SecurityOptions();
        for (int i = 0; i < values.Count; i++)
        {
            string v = values[i];
            int eq = v.IndexOfAny(['=', ':']);
            string key = eq < 0 ? v : v[..eq];
            string value = eq < 0 ? "" : v[(eq + 1)..];
            switch (key)
            {
                case "seccomp" when value == "unconfined":
                    o.SeccompUnconfined = true;
                    o.SeccompProfile = null;
                    break;
                case "seccomp" when value.Length > 0:
                    o.SeccompProfile = value;
                    o.SeccompUnconfined = false;
                    break;
                case "no-new-privileges":
                    o.NoNewPrivileges = value switch
                    {
                        "" or "true" => true,
                        "false" => false,
                        _ => throw new EngineException($"invalid --security-opt {i + 1}: \"{v}\""),
                    };
                    break;
                case "mask" when value.Length > 0:
                    o.Mask.AddRange(value.Split(':', StringSplitOptions.RemoveEmptyEntries));
                    break;
                case "unmask" when value.Length > 0:
                    o.Unmask.AddRange(value.Split(':', StringSplitOptions.RemoveEmptyEntries));
                    break;
                case "label" when value is "disable" or "nested" || value.StartsWith("type:", StringComparison.Ordinal) || value.StartsWith("level:", StringComparison.Ordinal)
                    || value.StartsWith("user:", StringComparison.Ordinal) || value.StartsWith("role:", StringComparison.Ordinal) || value.StartsWith("filetype:", StringComparison.Ordinal):
                    break; // SELinux labels: this host has no SELinux; podman ignores them there too
                case "apparmor" when value.Length > 0:
                    if (value != "unconfined") throw new EngineException($"--security-opt apparmor={value}: AppArmor is not enabled on this host");
                    break;
                default:
                    throw new EngineException($"invalid --security-opt {i + 1}: \"{v}\"");
            }
        }
        return o;
    }
}
