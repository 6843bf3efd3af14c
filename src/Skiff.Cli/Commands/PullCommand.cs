using System.CommandLine;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>`skiff pull [options] IMAGE`: progress on stderr, the image id on stdout.</summary>
public static class PullCommand
{
    public static Command Create(GlobalOptions global)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress output information when pulling images" };
        var tlsVerify = new Option<bool?>("--tls-verify") { Description = "Require HTTPS and verify certificates" };
        var image = new Argument<string>("IMAGE") { Description = "The image to pull" };
        var cmd = new Command("pull", "Pull an image from a registry") { quiet, tlsVerify, image };
        cmd.SetAction(async (p, ct) =>
        {
            var pulled = await global.Engine(p).PullAsync(p.GetRequiredValue(image), p.GetValue(tlsVerify), p.GetValue(quiet), ct).ConfigureAwait(false);
            Console.WriteLine(pulled.Id);
            return 0;
        });
        return cmd;
    }
}
