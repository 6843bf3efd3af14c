using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Skiff.EndToEnd.Harness;

/// <summary>One request a <see cref="HostileRegistry"/> received: its method and path, and the connection to answer on.</summary>
public sealed record HostileRequest(string Method, string Path, NetworkStream Stream);

/// <summary>
/// A registry that misbehaves on purpose, on a raw TcpListener (127.0.0.1, plain HTTP/1.1, one request per
/// connection): it can stay silent after accepting, never answer, stop in the middle of a body, redirect forever,
/// send without end. <see cref="Serve"/> answers the distribution API from a few blobs and manifests, so that each
/// test replaces only the part that misbehaves. Stalls last until the registry is disposed.
/// </summary>
public sealed class HostileRegistry : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<HostileRequest, CancellationToken, Task> _handler;
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _loop;

    /// <param name="handler">Answers one request (null: accept, read the request and say nothing, ever).</param>
    public HostileRegistry(Func<HostileRequest, CancellationToken, Task>? handler)
    {
        _handler = handler ?? ((_, ct) => Task.Delay(Timeout.Infinite, ct));
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(64);
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string HostPort => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>"METHOD path" of every request, in order of arrival.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _clients.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one, _stop.Token) == 0 || head.Length > 65536) return;
                head.Append((char)one[0]);
            }
            string[] requestLine = head.ToString().Split("\r\n")[0].Split(' ');
            Requests.Enqueue($"{requestLine[0]} {requestLine[1]}");
            await _handler(new HostileRequest(requestLine[0], requestLine[1], stream), _stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var c in _clients) c.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    // ---- answers -----------------------------------------------------------------------------------------------

    /// <summary>A whole answer: status line, Content-Type/Length and the body, then the connection closes.</summary>
    public static async Task Respond(HostileRequest r, int status, byte[] body, string contentType = "application/json", string? extraHeaders = null, CancellationToken ct = default)
    {
        string head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Status")}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n{extraHeaders}Connection: close\r\n\r\n";
        await r.Stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        if (r.Method != "HEAD") await r.Stream.WriteAsync(body, ct);
    }

    /// <summary>Headers that announce <paramref name="length"/> bytes (none: a body that ends when the connection does).</summary>
    public static Task Headers(HostileRequest r, long? length, string contentType = "application/octet-stream", CancellationToken ct = default)
    {
        string len = length is long n ? $"Content-Length: {n}\r\n" : "";
        return r.Stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\n{len}Connection: close\r\n\r\n"), ct).AsTask();
    }

    public static Task Stall(CancellationToken ct) => Task.Delay(Timeout.Infinite, ct);

    /// <summary>A normal registry for <paramref name="image"/> (any repository and tag), letting <paramref name="hostile"/>
    /// answer first: it returns true when it took the request.</summary>
    public static Func<HostileRequest, CancellationToken, Task> Serve(FakeImage image, Func<HostileRequest, CancellationToken, Task<bool>>? hostile = null) => async (r, ct) =>
    {
        if (hostile is not null && await hostile(r, ct)) return;
        if (r.Path == "/v2/") { await Respond(r, 200, "{}"u8.ToArray(), ct: ct); return; }
        int manifests = r.Path.IndexOf("/manifests/", StringComparison.Ordinal), blobs = r.Path.IndexOf("/blobs/", StringComparison.Ordinal);
        string key = manifests >= 0 ? r.Path[(manifests + 11)..] : blobs >= 0 ? r.Path[(blobs + 7)..] : "";
        if (manifests >= 0 && image.Manifests.TryGetValue(key, out var m))
            await Respond(r, 200, m.Bytes, m.MediaType, ct: ct);
        else if (blobs >= 0 && image.Blobs.TryGetValue(key, out var b))
            await Respond(r, 200, b, "application/octet-stream", ct: ct);
        else
            await Respond(r, 404, """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"""u8.ToArray(), ct: ct);
    };
}

/// <summary>An image's manifests (by tag and digest) and blobs (by digest) for <see cref="HostileRegistry.Serve"/>.</summary>
public sealed class FakeImage
{
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexType = "application/vnd.oci.image.index.v1+json";
    public const string LayerType = "application/vnd.oci.image.layer.v1.tar+gzip";

    public Dictionary<string, (byte[] Bytes, string MediaType)> Manifests { get; } = [];
    public Dictionary<string, byte[]> Blobs { get; } = [];

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>An image of layers given as (digest, size, diff id); their blobs are added by the caller when served.
    /// Its manifest is "latest" and its own digest; returns that digest.</summary>
    public string AddImage(IReadOnlyList<(string Digest, long Size, string DiffId)> layers, string tag = "latest", long? configSizeClaim = null)
    {
        string diffIds = string.Join(",", layers.Select(l => $"\"{l.DiffId}\""));
        byte[] config = Encoding.UTF8.GetBytes($$$"""{"architecture":"{{{Skiff.TestSupport.Registry.OciLayoutBuilder.HostArchitecture}}}","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[{{{diffIds}}}]}}""");
        string configDigest = Sha256(config);
        Blobs[configDigest] = config;
        string layerList = string.Join(",", layers.Select(l => $$"""{"mediaType":"{{LayerType}}","digest":"{{l.Digest}}","size":{{l.Size}}}"""));
        byte[] manifest = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{ManifestType}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{configSizeClaim ?? config.Length}}},"layers":[{{layerList}}]}""");
        return AddManifest(manifest, ManifestType, tag);
    }

    public string AddManifest(byte[] bytes, string mediaType, string? tag = null)
    {
        string digest = Sha256(bytes);
        Manifests[digest] = (bytes, mediaType);
        if (tag is not null) Manifests[tag] = (bytes, mediaType);
        return digest;
    }

    /// <summary>An index with one entry for the host's platform, which is <paramref name="target"/> announced as <paramref name="entryType"/>.</summary>
    public string AddIndex(string target, long targetSize, string entryType, string? tag = "latest")
    {
        byte[] index = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"{{{IndexType}}}","manifests":[{"mediaType":"{{{entryType}}}","digest":"{{{target}}}","size":{{{targetSize}}},"platform":{"architecture":"{{{Skiff.TestSupport.Registry.OciLayoutBuilder.HostArchitecture}}}","os":"linux"}}]}""");
        return AddManifest(index, IndexType, tag);
    }
}
