using System.Net;

namespace Skiff.Images.Distribution;

/// <summary>A registry request that failed; the message is one line naming the registry and the thing asked for.</summary>
public class RegistryException : Exception
{
    public RegistryException() { }
    public RegistryException(string message) : base(message) { }
    public RegistryException(string message, Exception inner) : base(message, inner) { }

    public RegistryException(string message, HttpStatusCode? status, string? errorCode, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = status;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status, when the registry answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The distribution-spec error code ("MANIFEST_UNKNOWN", "NAME_UNKNOWN", "UNAUTHORIZED", ...), when given.</summary>
    public string? ErrorCode { get; }

    /// <summary>The image is not there (or not visible to us): the next short-name candidate may have it.</summary>
    public bool IsNotFound => StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || ErrorCode is "MANIFEST_UNKNOWN" or "NAME_UNKNOWN" or "BLOB_UNKNOWN";
}
