using System.Text.Json;
using Skiff.Runtime.Config;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>features: what this runtime implements (runtime-spec features.md), minimal.</summary>
public static class FeaturesCommand
{
    public static int Run()
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("ociVersionMin", "1.0.0");
            w.WriteString("ociVersionMax", "1.2.0");
            w.WriteStartArray("hooks");
            w.WriteEndArray();
            w.WriteStartArray("mountOptions");
            foreach (string o in new[] { "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "bind", "rbind", "private", "rprivate", "shared", "rshared", "slave", "rslave", "relatime", "noatime", "strictatime" })
                w.WriteStringValue(o);
            w.WriteEndArray();
            w.WriteStartObject("linux");
            w.WriteStartArray("namespaces");
            foreach (string n in new[] { "cgroup", "ipc", "mount", "network", "pid", "user", "uts" }) w.WriteStringValue(n);
            w.WriteEndArray();
            w.WriteStartArray("capabilities");
            foreach (string c in CapabilityNames.All) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        stdout.Write("\n"u8);
        return 0;
    }
}
