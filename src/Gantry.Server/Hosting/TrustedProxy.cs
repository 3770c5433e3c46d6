using System.Net;

namespace Gantry.Server.Hosting;

/// <summary>One entry of <see cref="GantryOptions.TrustedProxies"/>: an address is a network of one.</summary>
internal static class TrustedProxy
{
    public static bool TryParse(string value, out IPNetwork network)
    {
        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(value, out network);
    }
}
