using System.CommandLine;
using Skiff.Engine;
using Skiff.Images.Archives;

namespace Skiff.Cli.Commands;

/// <summary>`skiff save` and `skiff load` (and `image save|load`): podman's flags, progress on stderr, exit codes.</summary>
public static class SaveLoadCommands
{
    public static Command Save(GlobalOptions global)
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write to a specified file (default: stdout, which must be redirected)" };
        var format = new Option<string?>("--format") { Description = "Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive, docker-dir (directory with v2s2 manifest type)" };
        var multi = new Option<bool>("--multi-image-archive", "-m") { Description = "Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress the output" };
        var compress = new Option<bool>("--compress") { Description = "Compress tarball image layers when saving to a directory using the 'dir' transport (accepted for compatibility)" };
        var uncompressed = new Option<bool>("--uncompressed") { Description = "Accept uncompressed layers when copying OCI images (accepted for compatibility)" };
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("save", "Save image(s) to an archive") { output, format, multi, quiet, compress, uncompressed, images };
        cmd.SetAction(p =>
        {
            string[] names = p.GetValue(images) ?? [];
            var fmt = ArchiveFormats.Parse(p.GetValue(format))
                ?? throw new EngineException("format value must be one of oci-dir oci-archive docker-dir docker-archive");
            if (names.Length == 0) throw new EngineException("need at least 1 argument");
            string? file = p.GetValue(output);
            if (file is { Length: 0 }) file = null;
            if (file is null && !Console.IsOutputRedirected) throw new EngineException("refusing to save to terminal. Use -o flag or redirect");
            using var stdout = Console.OpenStandardOutput();
            global.Engine(p).SaveImages(names, fmt, p.GetValue(multi), file, stdout, p.GetValue(quiet));
            return 0;
        });
        return cmd;
    }

    public static Command Load(GlobalOptions global)
    {
        var input = new Option<string?>("--input", "-i") { Description = "Read from specified archive file (default: stdin)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress the output" };
        var cmd = new Command("load", "Load image(s) from a tar archive") { input, quiet };
        cmd.SetAction(async (p, ct) =>
        {
            string? file = p.GetValue(input);
            if (file is { Length: 0 }) file = null;
            if (file is null && !Console.IsInputRedirected)
                throw new EngineException("cannot read from terminal, use command-line redirection or the --input flag");
            await using var stdin = Console.OpenStandardInput();
            var lines = await global.Engine(p).LoadImagesAsync(file, stdin, p.GetValue(quiet), ct).ConfigureAwait(false);
            foreach (string line in lines) Console.WriteLine(line);
            return 0;
        });
        return cmd;
    }
}
