using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Identity;

/// <summary>Checks the <c>Auth</c> section at start; each failure names its key.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Auth:Issuer must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Auth:Audience must not be empty.");
        }

        if (options.AccessTokenMinutes is < 1 or > 60)
        {
            failures.Add("Auth:AccessTokenMinutes must be between 1 and 60: access tokens are short-lived.");
        }

        if (options.RefreshTokenDays is < 1 or > 365)
        {
            failures.Add("Auth:RefreshTokenDays must be between 1 and 365.");
        }

        if (options.SigningKeyRotationDays < 1)
        {
            failures.Add("Auth:SigningKeyRotationDays must be 1 or more.");
        }

        var throttle = options.Throttle;
        if (new[] { throttle.FailuresPerUser, throttle.RequestsPerClient, throttle.WindowSeconds, throttle.SlowDownAfterFailures, throttle.AccountWindowSeconds,
                throttle.SlowDownStartMilliseconds, throttle.SlowDownMaxSeconds }.Any(v => v < 1))
        {
            failures.Add("Auth:Throttle:FailuresPerUser, RequestsPerClient, WindowSeconds, SlowDownAfterFailures, AccountWindowSeconds, SlowDownStartMilliseconds and SlowDownMaxSeconds must be 1 or more.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Oidc.Issuers.Count; i++)
        {
            ValidateIssuer(options.Oidc.Issuers[i], $"Auth:Oidc:Issuers:{i}", names, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateIssuer(OidcIssuerOptions issuer, string key, HashSet<string> names, List<string> failures)
    {
        if (!ResourceName.IsDns1123Label(issuer.Name) || !names.Add(issuer.Name))
        {
            failures.Add($"{key}:Name must be a unique DNS-1123 label.");
        }

        if (!Uri.TryCreate(issuer.Authority, UriKind.Absolute, out var authority)
            || (authority.Scheme != Uri.UriSchemeHttps && (issuer.RequireHttpsMetadata || authority.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{key}:Authority must be an https:// URL (http:// only with RequireHttpsMetadata=false).");
        }

        if (string.IsNullOrWhiteSpace(issuer.Audience))
        {
            failures.Add($"{key}:Audience must not be empty: tokens meant for other services must not work here.");
        }

        if (!string.IsNullOrEmpty(issuer.WebClientSecret) && !issuer.OffersWebSignIn)
        {
            failures.Add($"{key}:WebClientSecret needs a WebClientId.");
        }

        if (issuer.OffersWebSignIn && !issuer.WebScope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid", StringComparer.Ordinal))
        {
            failures.Add($"{key}:WebScope must contain openid: the web UI signs in with the provider's ID token.");
        }

        for (var r = 0; r < issuer.Rules.Count; r++)
        {
            var rule = issuer.Rules[r];
            var ruleKey = $"{key}:Rules:{r}";
            if (string.IsNullOrWhiteSpace(rule.Claim) || string.IsNullOrWhiteSpace(rule.Value))
            {
                failures.Add($"{ruleKey}: Claim and Value must not be empty.");
            }

            if (!rule.PlatformAdmin && (!ResourceName.IsDns1123Label(rule.Tenant) || !TenantRoles.TryParse(rule.Role, out _)))
            {
                failures.Add($"{ruleKey}: give a Tenant (DNS-1123 label) and a Role ({string.Join(", ", TenantRoles.All)}), or PlatformAdmin=true.");
            }
        }
    }
}
