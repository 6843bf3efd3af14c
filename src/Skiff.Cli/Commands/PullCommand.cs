using System.CommandLine;
using Skiff.Engine.Images;
using Skiff.Engine.Processes;

namespace Skiff.Cli.Commands;

/// <summary>`skiff pull [options] IMAGE`: progress on stderr, the image id on stdout.</summary>
public static class PullCommand
{
    public static Command Create(GlobalOptions global)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress output information when pulling images" };
        var tlsVerify = new Option<bool?>("--tls-verify") { Description = "Require HTTPS and verify certificates" };
        var retry = new Option<int?>("--retry") { Description = "number of times to retry in case of failure when performing pull (default 3)" };
        var retryDelay = new Option<string?>("--retry-delay") { Description = "delay between retries in case of pull failures" };
        var image = new Argument<string>("IMAGE") { Description = "The image to pull" };
        var cmd = new Command("pull", "Pull an image from a registry") { quiet, tlsVerify, retry, retryDelay, image };
        cmd.SetAction(async (p, ct) =>
        {
            var settings = PullSettings.FromFlags(p.GetValue(retry), p.GetValue(retryDelay));
            string input = p.GetRequiredValue(image);
            // SIGINT, SIGTERM and SIGHUP cancel the pull: what it downloaded is removed on the way out.
            using var interrupt = new EarlyInterrupt(ct);
            try
            {
                var pulled = await global.Engine(p).PullAsync(input, p.GetValue(tlsVerify), p.GetValue(quiet), settings, interrupt.Token).ConfigureAwait(false);
                Console.WriteLine(pulled.Id);
                return 0;
            }
            catch (OperationCanceledException) when (interrupt.Signal != 0 || ct.IsCancellationRequested)
            {
                int signal = interrupt.Signal != 0 ? interrupt.Signal : 2;
                string name = signal switch { 1 => "SIGHUP", 15 => "SIGTERM", _ => "SIGINT" };
                return SkiffCli.Fail($"pulling {input}: interrupted by {name}; what it had downloaded was removed", 128 + signal);
            }
        });
        return cmd;
    }
}
