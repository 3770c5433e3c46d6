using System.Net;
using System.Net.Sockets;

namespace Gantry.Testing;

public static class Ports
{
    /// <summary>A loopback port that was free a moment ago; servers started by tests bind to it.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
