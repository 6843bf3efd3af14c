using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Config;
using Skiff.Runtime.Options;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>spec [--bundle DIR] [--rootless]: writes runc's example config.json in DIR (or here); never overwrites one.</summary>
public static class SpecCommand
{
    private static readonly RuntimeJsonContext Tabs = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        IndentCharacter = '\t',
        IndentSize = 1,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    public static int Run(SpecOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        string dir = o.Bundle ?? ".";
        if (!Directory.Exists(dir)) throw new RuntimeException($"spec: the bundle directory {dir} does not exist");
        var spec = ExampleSpec.Create(o.Rootless, Libc.GetEUid(), Libc.GetEGid());
        string file = Path.Combine(dir, "config.json");
        byte[] json = Render(spec);
        try
        {
            // CreateNew: O_EXCL, so a config.json made meanwhile (or a symlink planted there) is never written through.
            using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
            stream.Write(json);
        }
        catch (IOException) when (File.Exists(file) || new FileInfo(file).LinkTarget is not null)
        {
            throw new RuntimeException($"spec: {file} exists: remove it first");
        }
        catch (UnauthorizedAccessException) { throw new RuntimeException($"spec: cannot write {file}: permission denied"); }
        return 0;
    }

    /// <summary>The spec as runc writes it: tab-indented JSON.</summary>
    public static byte[] Render(Spec spec) => JsonSerializer.SerializeToUtf8Bytes(spec, Tabs.Spec);
}
