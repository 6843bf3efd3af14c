using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Skiff.Interop;

namespace Skiff.Images.Distribution;

public sealed partial class RegistryClient
{
    private const long MaxTokenResponse = 1 << 20;

    /// <summary>Sends a request with the registry's credentials; on a 401 challenge gets a (new) token once and retries.</summary>
    private async Task<HttpResponseMessage> SendAsync(RegistryEndpoint endpoint, string repository, Func<HttpRequestMessage> makeRequest, CancellationToken ct)
    {
        string scope = $"repository:{repository}:pull";
        for (int attempt = 0; ; attempt++)
        {
            using var request = makeRequest();
            await AuthorizeAsync(endpoint, request, scope, refresh: attempt > 0, ct).ConfigureAwait(false);
            var response = await SendWithTimeoutsAsync(endpoint.Client, endpoint.Registry, request, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0)
                return response;
            var challenge = response.Headers.WwwAuthenticate.Select(h => AuthChallenge.Parse(h.ToString())).FirstOrDefault(c => c is not null);
            if (challenge is null || !(challenge.IsBearer || challenge.IsBasic && _options.Credentials.Find(endpoint.Registry) is not null))
                return response;
            endpoint.Challenge = challenge;
            response.Dispose();
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and waits for its headers at most the idle timeout (the connect timeout is the
    /// handler's): a registry that accepts and then says nothing fails with <see cref="RegistryTimeoutException"/>,
    /// a refused or dropped connection with a transient <see cref="RegistryException"/>, each naming the registry.
    /// </summary>
    private async Task<HttpResponseMessage> SendWithTimeoutsAsync(HttpClient client, string registry, HttpRequestMessage request, CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(_options.IdleTimeout);
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException($"{request.Method} {request.RequestUri}: {ErrorText.Of(e)}", e) { IsTransient = true };
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw e.InnerException is TimeoutException && !idle.IsCancellationRequested
                ? new RegistryTimeoutException($"{request.Method} {request.RequestUri}: could not connect to {registry} within {GoDuration.Format(_options.ConnectTimeout)}", e)
                : new RegistryTimeoutException($"{request.Method} {request.RequestUri}: {registry} sent no answer within {GoDuration.Format(_options.IdleTimeout)} (the registry stalled)", e);
        }
    }

    private async Task AuthorizeAsync(RegistryEndpoint endpoint, HttpRequestMessage request, string scope, bool refresh, CancellationToken ct)
    {
        var challenge = endpoint.Challenge;
        var credential = _options.Credentials.Find(endpoint.Registry);
        if (challenge is { IsBearer: true })
        {
            if (refresh || !endpoint.Tokens.TryGetValue(scope, out string? token))
            {
                token = await FetchTokenAsync(endpoint, challenge, scope, credential, ct).ConfigureAwait(false);
                endpoint.Tokens[scope] = token;
            }
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (credential is not null)
        {
            request.Headers.Authorization = BasicHeader(credential);
        }
    }

    private async Task<string> FetchTokenAsync(RegistryEndpoint endpoint, AuthChallenge challenge, string scope, RegistryCredential? credential, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(challenge.Realm) || !Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm)
            || realm.Scheme is not ("https" or "http"))
            throw new RegistryException($"registry {endpoint.Registry} sent a bearer challenge without a valid realm");

        var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query[1..] + "&" : "");
        if (!string.IsNullOrEmpty(challenge.Service)) query.Append("service=").Append(Uri.EscapeDataString(challenge.Service)).Append('&');
        query.Append("scope=").Append(Uri.EscapeDataString(scope));
        var uri = new UriBuilder(realm) { Query = query.ToString() }.Uri;

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (credential is not null) request.Headers.Authorization = BasicHeader(credential);
        string context = $"requesting bearer token from {realm.GetLeftPart(UriPartial.Path)} for {endpoint.Registry}";
        try
        {
            using var response = await SendWithTimeoutsAsync(endpoint.Client, endpoint.Registry, request, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw await RegistryErrors.FromResponseAsync(response, context, _options.IdleTimeout, ct).ConfigureAwait(false);
            byte[] body = await HttpBodies.ReadBoundedAsync(response.Content, MaxTokenResponse, _options.IdleTimeout, context, ct).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            foreach (string name in (ReadOnlySpan<string>)["token", "access_token"])
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var t)
                    && t.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(t.GetString()))
                    return t.GetString()!;
            }
            throw new RegistryException($"{context}: the response has no token");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidDataException)
        {
            throw new RegistryException($"{context}: {ErrorText.Of(e)}", e);
        }
    }

    private static AuthenticationHeaderValue BasicHeader(RegistryCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.UserName}:{credential.Password}")));
}
