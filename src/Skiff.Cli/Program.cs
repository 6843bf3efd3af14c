using Skiff.Cli;

return await SkiffCli.MainAsync(args).ConfigureAwait(false);
