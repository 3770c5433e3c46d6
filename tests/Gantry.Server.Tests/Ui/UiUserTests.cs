using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Server.Tests.Ui;

/// <summary>Users in the browser: platform administrators create and delete them; everyone else sees only themselves.</summary>
public sealed partial class UiTests
{
    [Fact]
    public async Task A_platform_admin_creates_a_user_who_signs_in_promotes_them_sets_their_password_and_deletes_them_after_typing_the_name()
    {
        var page = await world.SignInAsync(browser, "admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync("Not A Name");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("newbie@example.com");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(page.GetByLabel("Username", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new Regex("must be 1 to 64 lower-case letters"));
        await Expect(page.GetByLabel("Password", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new Regex("must be 12 to 128 characters long"));
        await Expect(page.GetByLabel("Password", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveValueAsync("newbie@example.com");

        await page.GetByLabel("Username", new() { Exact = true }).FillAsync("ui-newbie");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(UiWorld.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Created user ui-newbie; they can sign in now.");
        var row = page.GetByRole(AriaRole.Row, new() { Name = "ui-newbie" });
        await Expect(row).ToContainTextAsync("newbie@example.com");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "acme-viewer" })).ToContainTextAsync("acme (viewer)");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "admin", Exact = true }) })).ToContainTextAsync("another platform administrator may demote or delete you");

        var newbie = await world.SignInAsync(browser, "ui-newbie");
        await newbie.GotoAsync("/me");
        await Expect(newbie.GetByRole(AriaRole.Heading, new() { Name = "Who am I" })).ToBeVisibleAsync();
        await newbie.Context.CloseAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Make ui-newbie platform admin" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved the platform administration of ui-newbie.");
        await Expect(row.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync("Yes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Demote ui-newbie" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync("No");

        await row.GetByText("Set a password for ui-newbie…").ClickAsync();
        await page.GetByLabel("New password for ui-newbie").FillAsync("too short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set password of ui-newbie" }).ClickAsync();
        await Expect(page.GetByLabel("New password for ui-newbie")).ToHaveAccessibleDescriptionAsync(new Regex("must be 12 to 128 characters long"));
        await page.GetByLabel("New password for ui-newbie").FillAsync("another long test password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set password of ui-newbie" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Set a new password for ui-newbie; their sessions ended.");
        newbie = await (await world.NewContextAsync(browser)).NewPageAsync();
        await newbie.GotoAsync("/login");
        await newbie.GetByLabel("Username").FillAsync("ui-newbie");
        await newbie.GetByLabel("Password").FillAsync("another long test password");
        await newbie.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(newbie.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await newbie.Context.CloseAsync();

        await row.GetByText("Delete ui-newbie…").ClickAsync();
        await page.GetByLabel("Type ui-newbie to confirm").FillAsync("ui-newbi");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete user ui-newbie" }).ClickAsync();
        await Expect(page.GetByLabel("Type ui-newbie to confirm")).ToHaveAccessibleDescriptionAsync("type ui-newbie exactly to delete the user");
        var users = await world.Admin.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("username").GetString() == "ui-newbie");

        await page.GetByLabel("Type ui-newbie to confirm").FillAsync("ui-newbie");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete user ui-newbie" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Deleted user ui-newbie with their memberships and sessions.");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "ui-newbie" })).ToHaveCountAsync(0);
        users = await world.Admin.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(users.EnumerateArray(), u => u.GetProperty("username").GetString() == "ui-newbie");
        var audit = await world.Admin.GetAsync("/api/v1/audit?action=user.delete").ExpectAsync(HttpStatusCode.OK);
        Assert.NotEmpty(audit.EnumerateArray());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_non_admin_sees_only_themselves_and_a_user_or_promotion_posted_anyway_is_refused()
    {
        var users = await world.Admin.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK);
        var self = users.EnumerateArray().Single(u => u.GetProperty("username").GetString() == "acme-viewer").GetProperty("id").GetString()!;
        var page = await world.SignInAsync(browser, "acme-viewer");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);
        await page.GotoAsync("/users");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "acme-viewer" })).ToContainTextAsync("acme (viewer)");
        await Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(page.GetByRole(AriaRole.Button)).ToHaveTextAsync(["Switch", "Sign out"]);

        foreach (var fields in new[]
        {
            new[] { ("_handler", "create"), ("NewUser.Username", "sneaky"), ("NewUser.Password", UiWorld.Password), ("NewUser.IsPlatformAdmin", "true") },
            [("_handler", $"admin-{self}"), ("MakeAdmin", "true")],
            [("_handler", $"delete-{self}"), ("Confirm", "acme-viewer")],
        })
        {
            var refused = await PostAnywayAsync(page, "/users", fields);
            Assert.Equal(403, refused.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Forbidden. Your role does not allow this.");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create user" })).ToHaveCountAsync(0);
        }

        users = await world.Admin.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(users.EnumerateArray(), u => u.GetProperty("username").GetString() == "sneaky");
        Assert.False(users.EnumerateArray().Single(u => u.GetProperty("id").GetString() == self).GetProperty("isPlatformAdmin").GetBoolean());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_local_user_changes_their_email_and_password_on_their_own_page_and_signs_in_with_the_new_one()
    {
        await world.Admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = "ui-selfie", password = UiWorld.Password, email = "old@example.com" })
            .ExpectAsync(HttpStatusCode.Created);
        var page = await world.SignInAsync(browser, "ui-selfie");
        await page.GotoAsync("/me");
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveValueAsync("old@example.com");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("not-an-address");
        await page.GetByLabel("New password").FillAsync("ui-selfie");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save email and password" }).ClickAsync();
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveAccessibleDescriptionAsync("must be an email address");
        await Expect(page.GetByLabel("New password")).ToHaveAccessibleDescriptionAsync(new Regex("must be 12 to 128 characters long"));

        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("new@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save email and password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved your email.");
        await Expect(page.GetByLabel("Email", new() { Exact = true })).ToHaveValueAsync("new@example.com");

        const string changed = "a brand new passphrase for selfie";
        await page.GetByLabel("New password").FillAsync(changed);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save email and password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your password changed and every session ended: sign in with the new one.");
        await page.GotoAsync("/me");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await page.GetByLabel("Username", new() { Exact = true }).FillAsync("ui-selfie");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(UiWorld.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The username or password is wrong.");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(changed);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await page.GotoAsync("/me");
        await Expect(page.GetByRole(AriaRole.Definition).Filter(new() { HasText = "new@example.com" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
