using System.CommandLine;
using System.Runtime.InteropServices;

namespace Skiff.Cli.Commands;

/// <summary>`skiff version`, laid out as podman's.</summary>
public static class VersionCommand
{
    public static Command Create(GlobalOptions global)
    {
        _ = global;
        var format = new Option<string?>("--format", "-f") { Description = "Go template: {{.Client.Version}}, {{.Client.OsArch}}" };
        var cmd = new Command("version", "Display the Skiff version information") { format };
        cmd.SetAction(p =>
        {
            string osArch = "linux/" + Arch;
            if (p.GetValue(format) is { } f)
            {
                Console.WriteLine(Output.GoTemplate.Render(f, name => name switch
                {
                    "Client.Version" or "Version" => SkiffCli.Version,
                    "Client.OsArch" or "OsArch" => osArch,
                    "Client.GoVersion" or "GoVersion" => RuntimeInformation.FrameworkDescription,
                    _ => null,
                }));
                return 0;
            }
            Console.Write(Output.Table.Format(
            [
                ["Client:", "Skiff Engine"],
                ["Version:", SkiffCli.Version],
                ["API Version:", SkiffCli.Version],
                [".NET Version:", RuntimeInformation.FrameworkDescription],
                ["OS/Arch:", osArch],
            ], minWidth: 14, padding: 1));
            return 0;
        });
        return cmd;
    }

    public static string Arch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        var a => a.ToString().ToLowerInvariant(),
    };
}
