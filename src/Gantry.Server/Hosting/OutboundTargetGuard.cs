using System.Net;
using System.Net.Sockets;

namespace Gantry.Server.Hosting;

/// <summary>
/// Where Gantry connects when a tenant admin names the address: engine notify URLs, a Sealed Secrets controller's
/// certificate URL. The URL is checked when it is given, but a host name can resolve anywhere, and differently
/// later: so the connection itself is made here, to the resolved addresses that are allowed. Never link-local (cloud
/// metadata at 169.254.169.254), unspecified or multicast; loopback only when the caller's setting allows it (an
/// engine port-forwarded to a laptop, the tests' servers).
/// </summary>
internal static class OutboundTargetGuard
{
    public static SocketsHttpHandler CreateHandler(Func<bool> allowLoopback) => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowLoopback(), cancellationToken),
    };

    /// <summary>Why Gantry does not connect to <paramref name="address"/>, or null when it may.</summary>
    public static string? Refusal(IPAddress address, bool allowLoopback)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        return address switch
        {
            _ when IPAddress.IsLoopback(address) => allowLoopback ? null : "a loopback address",
            { AddressFamily: AddressFamily.InterNetwork } when bytes is [169, 254, ..] => "a link-local address",
            { AddressFamily: AddressFamily.InterNetwork } when bytes is [0, ..] => "an unspecified address",
            { AddressFamily: AddressFamily.InterNetwork } when bytes[0] >= 224 => "a multicast or reserved address",
            { AddressFamily: AddressFamily.InterNetworkV6 } when address.IsIPv6LinkLocal => "a link-local address",
            { AddressFamily: AddressFamily.InterNetworkV6 } when address.IsIPv6Multicast => "a multicast address",
            { AddressFamily: AddressFamily.InterNetworkV6 } when address.Equals(IPAddress.IPv6Any) => "an unspecified address",
            _ => null,
        };
    }

    /// <summary>
    /// The guard's own words when <paramref name="error"/> (as HttpClient reports a failed connection) came from a
    /// refused target, else null.
    /// </summary>
    public static string? RefusalIn(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is OutboundTargetRefusedException refused)
            {
                return refused.Message;
            }
        }

        return null;
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLoopback, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => Refusal(a, allowLoopback) is null).ToArray();
        if (allowed.Length == 0)
        {
            var why = addresses.Length == 0 ? "no address" : Refusal(addresses[0], allowLoopback);
            throw new OutboundTargetRefusedException($"'{endpoint.Host}' resolves to {why}, which Gantry does not connect to.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A connection Gantry refused to make: the target resolves only to addresses it does not connect to.</summary>
public sealed class OutboundTargetRefusedException(string message) : IOException(message);
