using System.Text.Json;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Options;

/// <summary>The process `exec` runs, from --process FILE or from the container's process and the exec flags (as runc does).</summary>
public static class ExecProcess
{
    private const long MaxProcessBytes = 4 << 20;

    /// <summary>
    /// --process FILE: that process as it is (the other process flags are ignored, as by runc). Otherwise the
    /// container's process (config.json) with the command after the id as args, and --cwd, --env (replacing a
    /// variable of the same name), --user, --additional-gids, --cap (added to all five sets), --tty (off unless
    /// given), --no-new-privs, --apparmor and --process-label applied.
    /// </summary>
    public static Process Build(ExecOptions options, Spec container)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(container);
        if (options.ProcessFile is { } file) return Validate(Load(file), file);
        if (options.Args.Count == 0) throw new RuntimeException("exec: no command given: put it after the container id, or use --process");
        var p = Copy(container.Process ?? throw new RuntimeException($"container {options.Id}: its config has no process"));
        p.Args = [.. options.Args];
        if (!string.IsNullOrEmpty(options.Cwd)) p.Cwd = options.Cwd;
        if (!string.IsNullOrEmpty(options.AppArmorProfile)) p.ApparmorProfile = options.AppArmorProfile;
        if (!string.IsNullOrEmpty(options.ProcessLabel)) p.SelinuxLabel = options.ProcessLabel;
        if (options.Capabilities.Count > 0)
        {
            p.Capabilities ??= new Capabilities();
            p.Capabilities.Bounding = Add(p.Capabilities.Bounding, options.Capabilities);
            p.Capabilities.Inheritable = Add(p.Capabilities.Inheritable, options.Capabilities);
            p.Capabilities.Effective = Add(p.Capabilities.Effective, options.Capabilities);
            p.Capabilities.Permitted = Add(p.Capabilities.Permitted, options.Capabilities);
            p.Capabilities.Ambient = Add(p.Capabilities.Ambient, options.Capabilities);
        }
        p.Env = MergeEnv(p.Env, options.Env);
        p.Terminal = options.Tty ?? false;
        if (options.NoNewPrivileges is bool nnp) p.NoNewPrivileges = nnp;
        if (options.Uid is uint uid) p.User.Uid = uid;
        if (options.Gid is uint gid) p.User.Gid = gid;
        if (options.AdditionalGids.Count > 0) p.User.AdditionalGids = [.. p.User.AdditionalGids ?? [], .. options.AdditionalGids];
        return Validate(p, "exec");
    }

    /// <summary>Reads a process.json (runtime-spec's Process object).</summary>
    public static Process Load(string file)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists) throw new RuntimeException($"--process {file}: no such file");
            if (info.Length > MaxProcessBytes) throw new RuntimeException($"--process {file}: larger than {MaxProcessBytes} bytes");
            bytes = File.ReadAllBytes(file);
        }
        catch (UnauthorizedAccessException) { throw new RuntimeException($"--process {file}: permission denied"); }
        catch (IOException e) { throw new RuntimeException($"--process {file}: {ErrorText.Describe(e)}"); }
        try
        {
            return JsonSerializer.Deserialize(bytes, RuntimeJsonContext.Default.Process) ?? throw new RuntimeException($"--process {file}: empty");
        }
        catch (JsonException e) { throw new RuntimeException($"--process {file}: {ErrorText.Json(e)}"); }
    }

    private static Process Validate(Process p, string source)
    {
        if (p.Args is not { Count: > 0 }) throw new RuntimeException($"{source}: process.args is empty");
        if (!p.Cwd.StartsWith('/')) throw new RuntimeException($"{source}: the working directory {p.Cwd} is not absolute");
        return p;
    }

    private static Process Copy(Process p) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(p, RuntimeJsonContext.Default.Process), RuntimeJsonContext.Default.Process)!;

    private static List<string> Add(List<string>? set, IEnumerable<string> caps)
    {
        var result = set ?? [];
        foreach (string c in caps)
        {
            string name = c.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? c.ToUpperInvariant() : "CAP_" + c.ToUpperInvariant();
            if (!result.Contains(name, StringComparer.Ordinal)) result.Add(name);
        }
        return result;
    }

    /// <summary>The container's environment with each K=V of <paramref name="extra"/> replacing K or appended.</summary>
    public static List<string> MergeEnv(IEnumerable<string>? env, IEnumerable<string> extra)
    {
        var result = new List<string>(env ?? []);
        foreach (string e in extra)
        {
            int eq = e.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new RuntimeException($"--env {e}: expected NAME=VALUE");
            string key = e[..eq];
            int at = result.FindIndex(x => x.Length > key.Length && x[key.Length] == '=' && x.StartsWith(key, StringComparison.Ordinal));
            if (at >= 0) result[at] = e;
            else result.Add(e);
        }
        return result;
    }
}
