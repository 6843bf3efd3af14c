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
        try { spec = SpecReader.Read(bytes) ?? throw new RuntimeException($"{file}: empty"); }
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
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ns in spec.Linux?.Namespaces ?? [])
        {
            ulong flag = FlagOf(ns.Type);
            if (!seen.Add(ns.Type)) throw new RuntimeException($"linux.namespaces lists the {ns.Type} namespace twice");
            if (string.IsNullOrEmpty(ns.Path)) flags |= flag;
        }
        return flags;
    }

    /// <summary>Namespaces to join (entries with a path), the user namespace first: the others may belong to it.</summary>
    public static IEnumerable<(string Type, ulong Flag, string Path)> NamespacesToJoin(Spec spec) =>
        (spec.Linux?.Namespaces ?? []).Where(ns => !string.IsNullOrEmpty(ns.Path))
            .OrderBy(ns => ns.Type == "user" ? 0 : 1)
            .Select(ns => (ns.Type, FlagOf(ns.Type), ns.Path!));

    /// <summary>Whether linux.namespaces joins an existing namespace of <paramref name="type"/> by path.</summary>
    public static bool JoinsNamespace(Spec spec, string type) =>
        (spec.Linux?.Namespaces ?? []).Any(ns => ns.Type == type && !string.IsNullOrEmpty(ns.Path));

    /// <summary>Whether the container has a namespace of <paramref name="type"/> of its own (new or joined), not the runtime's.</summary>
    public static bool HasNamespace(Spec spec, string type) => (spec.Linux?.Namespaces ?? []).Any(ns => ns.Type == type);

    private static ulong FlagOf(string type) => type switch
    {
        "pid" => CloneFlags.NewPid,
        "network" => CloneFlags.NewNet,
        "mount" => CloneFlags.NewNs,
        "ipc" => CloneFlags.NewIpc,
        "uts" => CloneFlags.NewUts,
        "user" => CloneFlags.NewUser,
        "cgroup" => CloneFlags.NewCgroup,
        "time" => CloneFlags.NewTime,
        _ => throw new RuntimeException($"namespace type {type} is not supported (pid, network, mount, ipc, uts, user, cgroup, time)"),
    };

    public static string RootfsOf(Spec spec, string bundle) =>
        Path.GetFullPath(spec.Root!.Path, bundle);
}
