namespace Gantry.Core.Buckets;

/// <summary>
/// The bucket's store could not be reached or answered as a store does when it is down (a refused or broken
/// connection, a timeout, a 5xx): nothing was read or written by the call that failed, and the same call may be
/// made again later. Not thrown for answers about the object itself (missing, refused).
/// </summary>
public sealed class BucketUnavailableException(string bucket, Exception inner)
    : Exception($"The bucket '{bucket}' could not be reached ({Reason(inner)}); try again when it is back.", inner)
{
    public string Bucket { get; } = bucket;

    private static string Reason(Exception e) => e switch
    {
        _ when e.GetBaseException() is System.Net.Sockets.SocketException socket => socket.SocketErrorCode.ToString(),
        HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => http.HttpRequestError.ToString(),
        TimeoutException or TaskCanceledException => "no answer in time",
        _ => e.GetType().Name,
    };
}
