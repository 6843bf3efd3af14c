using System.Collections.Concurrent;
using System.Net;
using Skiff.TestSupport.Registry;

namespace Skiff.Tests.Images;

/// <summary>A tiny HttpListener on 127.0.0.1 that answers with a handler, for behaviours a real registry
/// will not show (tampered blobs, schema 1, token servers). Records every request it saw.</summary>
public sealed class FakeRegistryServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<HttpListenerContext, Task> _handler;
    private readonly Task _loop;

    public FakeRegistryServer(Func<HttpListenerContext, Task> handler)
    {
        _handler = handler;
        for (int attempt = 0; ; attempt++)
        {
            // a port probed free can be taken again before we bind it (parallel tests): new listener, new port
            Port = LocalRegistry.FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                listener.Start();
                _listener = listener;
                break;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string HostPort => $"127.0.0.1:{Port}";

    /// <summary>"METHOD path?query Authorization" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Requests.Enqueue($"{context.Request.HttpMethod} {context.Request.Url!.PathAndQuery} {context.Request.Headers["Authorization"]}");
            try
            {
                await _handler(context);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // the client hung up mid-body (a client that stops reading at its size limit does): nothing to answer
                context.Response.Abort();
            }
            catch (Exception e)
            {
                try
                {
                    context.Response.StatusCode = 500;
                    await Write(context.Response, System.Text.Encoding.UTF8.GetBytes(e.Message), "text/plain");
                    context.Response.Close();
                }
                catch (Exception)
                {
                    // headers already sent, or the client is gone: a 500 cannot be delivered any more
                    context.Response.Abort();
                }
            }
        }
    }

    public static async Task Write(HttpListenerResponse response, byte[] body, string contentType, int status = 200)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
    }

    public void Dispose()
    {
        // Close alone: after Stop, Close removes the prefixes a second time, which binds the port anew to do so
        // and fails with "Address already in use" when another test's listener took the port meanwhile.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
