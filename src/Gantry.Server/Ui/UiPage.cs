using Gantry.Core.Identity;
using Gantry.Server.Errors;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Ui;

/// <summary>
/// What every page shares: the request, the signed-in principal, and one way to call the API's own handlers, so a page
/// goes through the same authorizer, validation and audit as <c>/api/v1</c> and shows the same problem in words.
/// </summary>
public abstract class UiPage : ComponentBase
{
    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = null!;

    [Inject]
    public NavigationManager Navigation { get; set; } = null!;

    [Inject]
    public IAuthorizer Authorizer { get; set; } = null!;

    /// <summary>What the server refused, in the words the API would have answered; null when all went well.</summary>
    protected ProblemDetails? Problem { get; set; }

    protected Principal Principal => HttpContext.User.ToPrincipal();

    protected bool May(ResourceAction action, ResourceRef resource) => AccessPolicy.Allows(Principal, action, resource);

    /// <summary>
    /// Whether to render a form that changes something: to those the access policy lets, and on any post, so a form
    /// posted anyway is answered by the API handler's own check, in its words, not by a missing form.
    /// </summary>
    protected bool ShowsForm(ResourceAction action, ResourceRef resource) => May(action, resource) || HttpMethods.IsPost(HttpContext.Request.Method);

    /// <summary>Runs an API handler and answers its value; on a refusal or a domain error, null and <see cref="Problem"/>.</summary>
    protected async Task<T?> CallAsync<T>(Func<Task<IResult>> handler)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            var result = await handler();
            var inner = result is INestedHttpResult nested ? nested.Result : result;
            switch (inner)
            {
                // First: a problem is itself a value result (IValueHttpResult is covariant), so CallAsync<object> would take it for one.
                case ProblemHttpResult refused:
                    Fail(refused.ProblemDetails);
                    return null;
                case IValueHttpResult<T> { Value: { } value }:
                    return value;
                case ContentHttpResult { ResponseContent: T text }:
                    return text;
                default:
                    return null;
            }
        }
        catch (Exception e) when (GantryExceptionHandler.Describe(e) is { } problem)
        {
            Fail(problem);
            return null;
        }
    }

    /// <summary>The server's words about one field (or any of its names: <c>replicas</c>, <c>values.replicaCount</c>).</summary>
    protected IReadOnlyList<string> ErrorsFor(params string[] fields) =>
        Problem is HttpValidationProblemDetails validation
            ? [.. fields.SelectMany(f => validation.Errors.TryGetValue(f, out var messages) ? messages : [])]
            : [];

    /// <summary>Errors not tied to a field this page shows: the detail, or the field errors named with their field.</summary>
    protected string? GeneralError(params string[] shownFields)
    {
        if (Problem is null)
        {
            return null;
        }

        if (Problem is HttpValidationProblemDetails validation && validation.Errors.Count > 0)
        {
            var others = validation.Errors.Where(e => !shownFields.Contains(e.Key)).Select(e => $"{e.Key} {string.Join("; ", e.Value)}").ToList();
            return others.Count == 0 ? null : string.Join(". ", others) + ".";
        }

        return Problem.Detail is { Length: > 0 } detail ? $"{Problem.Title} {detail}" : Problem.Title;
    }

    protected void Fail(ProblemDetails problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Problem = problem;
        if (problem.Status == StatusCodes.Status404NotFound)
        {
            // The not-found page, answered 404: the same for a name that does not exist and one in another tenant.
            Navigation.NotFound();
        }
        else if (problem.Status is { } status)
        {
            SetStatus(HttpContext, status);
        }
    }

    /// <summary>Answers the page with <paramref name="status"/>: the page itself says what went wrong, not the API's problem document.</summary>
    public static void SetStatus(HttpContext context, int status)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = status;
            context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        }
    }

    protected void Fail(string field, string message) =>
        Fail(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
        });

    protected static string TenantPath(string tenant) => $"/tenants/{Uri.EscapeDataString(tenant)}";

    protected static string InstancePath(string tenant, string name) => $"{TenantPath(tenant)}/instances/{Uri.EscapeDataString(name)}";

    protected static string Abbreviate(string? revision) => revision is { Length: > 12 } r && !r.Contains('@', StringComparison.Ordinal) ? r[..12] : revision ?? "—";

    /// <summary>How long until <paramref name="expires"/>, in words ("in 23 h 5 min", "expired"); gantry.js keeps it current.</summary>
    public static string Countdown(DateTimeOffset expires, DateTimeOffset now)
    {
        var left = expires - now;
        return left <= TimeSpan.Zero ? "expired"
            : left.TotalDays >= 2 ? $"in {(int)left.TotalDays} days {left.Hours} h"
            : $"in {(int)left.TotalHours} h {left.Minutes} min";
    }

    protected static string When(DateTimeOffset? time) =>
        time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) ?? "—";

    /// <summary>" by alice" after a change's time; nothing when the index does not know who made it (rows indexed before it kept that).</summary>
    protected static string ChangedBy(string? name) => name is null ? string.Empty : $" by {name}";
}
