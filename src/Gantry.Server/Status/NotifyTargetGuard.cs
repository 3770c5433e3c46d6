using System.Net;
using System.Net.Sockets;

namespace Gantry.Server.Status;

/// <summary>
/// Where Gantry's engine notifications may connect. A notify URL is checked when it is set, but a host name can
/// resolve anywhere, and differently later: so the connection itself is made here, to the resolved addresses that
/// are allowed. Never link-local (cloud metadata at 169.254.169.254), unspecified or multicast; loopback only when
/// <see cref="StatusOptions.NotifyAllowLoopback"/> (an engine port-forwarded to a laptop, the tests' engines).
/// </summary>
internal static class NotifyTargetGuard
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

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLoopback, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => Refusal(a, allowLoopback) is null).ToArray();
        if (allowed.Length == 0)
        {
            var why = addresses.Length == 0 ? "no address" : Refusal(addresses[0], allowLoopback);
            throw new EngineNotificationException($"'{endpoint.Host}' resolves to {why}, which Gantry does not send notifications to.");
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
