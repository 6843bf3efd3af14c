using System.Net;
using Skiff.Interop;

namespace Skiff.Images.Distribution;

public sealed partial class RegistryClient
{
    /// <summary>How long the https attempt may take before falling back to http when TLS is not required.</summary>
    private static readonly TimeSpan InsecureProbeTimeout = TimeSpan.FromSeconds(5);

    private Task<RegistryEndpoint> GetEndpointAsync(string registry, CancellationToken ct)
    {
        var lazy = _endpoints.GetOrAdd(registry, r => new Lazy<Task<RegistryEndpoint>>(() => PingAsync(r, CancellationToken.None)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A ping that failed before (a retry comes here) is made again, not answered from the cache.
            _endpoints.TryRemove(new KeyValuePair<string, Lazy<Task<RegistryEndpoint>>>(registry, lazy));
            task = _endpoints.GetOrAdd(registry, r => new Lazy<Task<RegistryEndpoint>>(() => PingAsync(r, CancellationToken.None))).Value;
        }
        return task.WaitAsync(ct);
    }

    /// <summary>GET /v2/ decides the scheme and records the auth challenge. Verified https by default;
    /// registries.conf "insecure = true" goes to plain http directly; --tls-verify=false tries https
    /// without verification and, when that fails (a plain-http server fails the handshake at once), http.</summary>
    private async Task<RegistryEndpoint> PingAsync(string registry, CancellationToken ct)
    {
        string host = registry == "docker.io" ? "registry-1.docker.io" : registry;
        bool insecure = _options.Config.IsInsecure(registry);
        if (insecure && _options.TlsVerify != true)
            return await PingOnceAsync(registry, new Uri($"http://{host}/"), _unverified, null, ct).ConfigureAwait(false);
        if (_options.TlsVerify != false)
        {
            try
            {
                return await PingOnceAsync(registry, new Uri($"https://{host}/"), _verifying, null, ct).ConfigureAwait(false);
            }
            catch (RegistryException e) when (e.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError }
                && !ct.IsCancellationRequested)
            {
                if (!await SpeaksPlainHttpAsync(host, ct).ConfigureAwait(false)) throw;
                // What podman says (Go's net/http), and what to do about it.
                throw new RegistryException(
                    $"pinging container registry {registry}: Get \"https://{host}/v2/\": http: server gave HTTP response to HTTPS client "
                    + "(a registry that serves plain HTTP needs --tls-verify=false, or insecure = true for it in registries.conf)", e);
            }
        }
        try
        {
            return await PingOnceAsync(registry, new Uri($"https://{host}/"), _unverified, InsecureProbeTimeout, ct).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.StatusCode is null && !ct.IsCancellationRequested)
        {
            return await PingOnceAsync(registry, new Uri($"http://{host}/"), _unverified, null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>GET /v2/, waiting at most <paramref name="timeout"/> (the https probe's) or else the idle timeout for an answer.</summary>
    private async Task<RegistryEndpoint> PingOnceAsync(string registry, Uri baseUri, HttpClient client, TimeSpan? timeout, CancellationToken ct)
    {
        var uri = new Uri(baseUri, "v2/");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = timeout is { } t && t < _options.IdleTimeout ? t : _options.IdleTimeout;
        cts.CancelAfter(limit);
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Unauthorized))
                throw new RegistryException(
                    $"pinging container registry {registry}: Get \"{uri}\": {RegistryErrors.Describe(response.StatusCode, null, null)}",
                    response.StatusCode, null);
            var challenge = response.StatusCode == HttpStatusCode.Unauthorized
                ? response.Headers.WwwAuthenticate.Select(h => AuthChallenge.Parse(h.ToString())).FirstOrDefault(c => c is not null)
                : null;
            return new RegistryEndpoint(registry, baseUri, client, challenge);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException($"pinging container registry {registry}: Get \"{uri}\": {Innermost(e)}", e)
            {
                IsTransient = e.HttpRequestError is not (HttpRequestError.SecureConnectionError or HttpRequestError.NameResolutionError),
            };
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            string what = e.InnerException is TimeoutException && !cts.IsCancellationRequested
                ? $"could not connect within {GoDuration.Format(_options.ConnectTimeout)}"
                : $"no answer within {GoDuration.Format(limit)} (the registry stalled)";
            throw new RegistryTimeoutException($"pinging container registry {registry}: Get \"{uri}\": {what}", e);
        }
    }

    /// <summary>The deepest exception's message, in words (NativeAOT gives resource keys for .NET's own messages).</summary>
    private static string Innermost(Exception e)
    {
        var deepest = e;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (!string.IsNullOrEmpty(inner.Message)) deepest = inner;
        return e is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } && ErrorText.IsResourceKey(deepest.Message)
            ? $"the TLS handshake failed ({deepest.Message})"
            : ErrorText.Of(deepest);
    }

    /// <summary>After a failed TLS handshake: whether the same host and port answer GET /v2/ in plain HTTP (podman's diagnosis).</summary>
    private async Task<bool> SpeaksPlainHttpAsync(string host, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(InsecureProbeTimeout < _options.IdleTimeout ? InsecureProbeTimeout : _options.IdleTimeout);
        try
        {
            // The port the https attempt used (443 when the name has none), not plain http's 80.
            var https = new Uri($"https://{host}/");
            var uri = new UriBuilder(Uri.UriSchemeHttp, https.Host, https.Port, "v2/").Uri;
            using var response = await _unverified.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }
}
