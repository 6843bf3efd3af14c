using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Skiff.TestSupport.Registry;

/// <summary>
/// A real registry (Debian's docker-registry, distribution 2.8) on a free 127.0.0.1 port, plain http,
/// storing in a temp directory. Dispose kills it and deletes the directory. BCL-only so that any
/// test project can link this file.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;
    private readonly StringBuilder _log;

    private LocalRegistry(Process process, StringBuilder log, string directory, int port)
    {
        _process = process;
        _log = log;
        Directory = directory;
        Port = port;
    }

    /// <summary>"127.0.0.1:PORT", the registry part of image names.</summary>
    public string HostPort => $"127.0.0.1:{Port}";

    public int Port { get; }

    /// <summary>The temp directory holding config.yml and data/.</summary>
    public string Directory { get; }

    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<LocalRegistry> StartAsync(CancellationToken ct = default)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: apt-get install docker-registry");
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(ct).ConfigureAwait(false);
            }
            catch (IOException) when (attempt < 3)
            {
                // the free port was taken between probing and binding: try another one
            }
        }
    }

    /// <summary>A port that nothing listens on right now (for connection-refused tests).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<LocalRegistry> TryStartAsync(CancellationToken ct)
    {
        int port = FreePort();
        string dir = System.IO.Directory.CreateTempSubdirectory("skiff-registry-").FullName;
        string config = Path.Combine(dir, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {dir}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
              headers:
                X-Skiff-Test-Registry: ["{Path.GetFileName(dir)}"]
            """, ct).ConfigureAwait(false);

        var log = new StringBuilder();
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Binary}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, log, dir, port);
        try
        {
            await registry.WaitReadyAsync(ct).ConfigureAwait(false);
            return registry;
        }
        catch
        {
            registry.Dispose();
            throw;
        }
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                string log = Log;
                if (log.Contains("address already in use", StringComparison.Ordinal))
                    throw new IOException($"registry port {Port} taken");
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}: {log}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{HostPort}/v2/"), ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    // the header proves that this registry answered, not another one that took the probed port first
                    if (response.Headers.TryGetValues("X-Skiff-Test-Registry", out var marker) && marker.Contains(System.IO.Path.GetFileName(Directory)))
                        return;
                    throw new IOException($"registry port {Port} answered by someone else");
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"docker-registry on {HostPort} did not answer /v2/: {Log}");
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
