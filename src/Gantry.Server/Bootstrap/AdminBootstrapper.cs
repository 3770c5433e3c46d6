using System.Security.Cryptography;
using Gantry.Data.Tenants;
using Gantry.Data.Users;
using Gantry.Server.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Bootstrap;

/// <summary>
/// On the first start (no users at all) creates the platform administrator <c>admin</c> and the demo tenant.
/// The password comes from <c>GANTRY_BOOTSTRAP_ADMIN_PASSWORD</c>, or is generated and shown once.
/// </summary>
public sealed partial class AdminBootstrapper(
    UserRepository users,
    TenantRepository tenants,
    IPasswordHasher<UserRecord> hasher,
    IConfiguration configuration,
    IOptions<GantryOptions> options,
    BootstrapReport report,
    TimeProvider time,
    ILogger<AdminBootstrapper> logger)
{
    public const string AdminUsername = "admin";
    public const string PasswordVariable = "GANTRY_BOOTSTRAP_ADMIN_PASSWORD";
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await users.CountAsync(cancellationToken) == 0)
        {
            var supplied = configuration[PasswordVariable];
            var password = string.IsNullOrEmpty(supplied) ? RandomNumberGenerator.GetString(PasswordAlphabet, 24) : supplied;
            var admin = new UserRecord
            {
                Id = Guid.CreateVersion7(now).ToString(),
                Username = AdminUsername,
                IsPlatformAdmin = true,
                PasswordHash = string.Empty,
                CreatedAt = now,
                UpdatedAt = now,
            };
            await users.InsertAsync(admin with { PasswordHash = hasher.HashPassword(admin, password) }, cancellationToken);
            report.RecordAdminCreated(string.IsNullOrEmpty(supplied) ? password : null);
            Log.AdminCreated(logger, AdminUsername, string.IsNullOrEmpty(supplied) ? "generated" : PasswordVariable);
        }

        var demo = options.Value.DemoTenant;
        if (!string.IsNullOrEmpty(demo) && report.AdminCreated
            && await tenants.TryInsertAsync(new TenantRecord { Name = demo, DisplayName = "Demo tenant", CreatedAt = now }, cancellationToken))
        {
            Log.DemoTenantCreated(logger, demo);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Created platform administrator '{Username}' (password: {PasswordSource})")]
        public static partial void AdminCreated(ILogger logger, string username, string passwordSource);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Created demo tenant '{Tenant}'")]
        public static partial void DemoTenantCreated(ILogger logger, string tenant);
    }
}
