using System.Text.Json;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Config;

/// <summary>Reads and checks a bundle's config.json.</summary>
public static class BundleConfig
{
    private const long MaxConfigBytes = 16 << 20;

    public static Spec Load(string bundle)
    {
        string file = Path.Combine(bundle, "config.json");
        var info = new FileInfo(file);
        if (!info.Exists) throw new RuntimeException($"bundle {bundle}: no config.json");
        if (info.Length > MaxConfigBytes) throw new RuntimeException($"{file}: larger than {MaxConfigBytes} bytes");
        return Parse(File.ReadAllBytes(file), file);
    }

    /// <summary>Parses and checks config.json bytes (<paramref name="file"/> names it in errors).</summary>
    public static Spec Parse(byte[] bytes, string file)
    {
        if (bytes.Length > MaxConfigBytes) throw new RuntimeException($"{file}: larger than {MaxConfigBytes} bytes");
        Spec spec;
        try { spec = JsonSerializer.Deserialize(bytes, RuntimeJsonContext.Default.Spec) ?? throw new RuntimeException($"{file}: empty"); }
        catch (JsonException e) { throw new RuntimeException($"{file}: {ErrorText.Json(e)}"); } // verbs: never a resource key
        if (spec.Process is null) throw new RuntimeException($"{file}: no process");
        if (spec.Process.Args is not { Count: > 0 }) throw new RuntimeException($"{file}: process.args is empty");
        if (spec.Root is null) throw new RuntimeException($"{file}: no root");
        return spec;
    }

    /// <summary>The CLONE_NEW* flags of the namespaces to create (linux.namespaces entries without a path).</summary>
    public static ulong NamespaceFlags(Spec spec)
    {
        ulong flags = 0;
        foreach (var ns in spec.Linux?.Namespaces ?? [])
        {
            ulong flag = FlagOf(ns.Type);
            if (string.IsNullOrEmpty(ns.Path)) flags |= flag;
            else if (flag is CloneFlags.NewPid or CloneFlags.NewNs or CloneFlags.NewUser)
                throw new RuntimeException($"joining the {ns.Type} namespace at {ns.Path} is not supported yet");
        }
        return flags;
    }

    /// <summary>Namespaces to join (network, ipc, uts, cgroup): the init joins them with setns before anything else.</summary>
    public static IEnumerable<(ulong Flag, string Path)> NamespacesToJoin(Spec spec) =>
        (spec.Linux?.Namespaces ?? []).Where(ns => !string.IsNullOrEmpty(ns.Path)).Select(ns => (FlagOf(ns.Type), ns.Path!));

    private static ulong FlagOf(string type) => type switch
    {
        "pid" => CloneFlags.NewPid,
        "network" => CloneFlags.NewNet,
        "mount" => CloneFlags.NewNs,
        "ipc" => CloneFlags.NewIpc,
        "uts" => CloneFlags.NewUts,
        "user" => CloneFlags.NewUser,
        "cgroup" => CloneFlags.NewCgroup,
        _ => throw new RuntimeException($"namespace type {type} is not supported"),
    };

    public static string RootfsOf(Spec spec, string bundle) =>
        Path.GetFullPath(spec.Root!.Path, bundle);
}
