using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Gantry.Server.Hosting;

/// <summary>
/// Declares in the OpenAPI document the problems every operation of a kind can answer, from its endpoint metadata, so
/// an endpoint cannot forget them: 401 when it needs a signed-in caller; 400, 413 and 415 when it reads a body (the
/// JSON rules, the size limit and the content type are enforced before any handler); 400 when a parameter is bound
/// to a type a text can fail to be. What a handler decides itself (403, 404, 409, …) the endpoint or its group
/// declares with <c>ProducesProblem</c>; <c>OpenApiContractTests</c> holds both to the server's answers.
/// </summary>
internal sealed class ProblemResponses : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var codes = new SortedSet<int>();
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            codes.Add(StatusCodes.Status401Unauthorized);
        }

        if (operation.RequestBody is not null)
        {
            codes.UnionWith(BodyProblems);
        }

        if (context.Description.ParameterDescriptions.Any(p => p.Source != BindingSource.Body && p.Type is { } type && type != typeof(string)))
        {
            codes.Add(StatusCodes.Status400BadRequest);
        }

        await DeclareAsync(operation, context, codes, cancellationToken);
    }

    /// <summary>What any operation that reads a body can answer before its handler runs.</summary>
    internal static readonly int[] BodyProblems = [StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType];

    /// <summary>Declares each status as a problem answer; a status the operation declares already gains the problem form beside its own.</summary>
    internal static async Task DeclareAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, IEnumerable<int> codes, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        var schema = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), cancellationToken: cancellationToken);
        foreach (var code in codes)
        {
            var key = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.TryGetValue(key, out var declared) && declared is OpenApiResponse response)
            {
                // The handler's own error form stays (OAuth's token errors); the edge's problem is one more.
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content.TryAdd("application/problem+json", new OpenApiMediaType { Schema = schema });
                continue;
            }

            operation.Responses[key] = new OpenApiResponse
            {
                Description = ReasonPhrases.GetReasonPhrase(code),
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
            };
        }
    }
}

/// <summary>How an endpoint or a group declares the problems its handlers answer, beside those <see cref="ProblemResponses"/> adds.</summary>
public static class ProblemDeclarations
{
    /// <summary>Declares each status as an <c>application/problem+json</c> answer of every endpoint the builder holds.</summary>
    public static TBuilder AnswersProblems<TBuilder>(this TBuilder builder, params int[] statusCodes)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var code in statusCodes)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(code, typeof(ProblemDetails), ["application/problem+json"]));
        }

        return builder;
    }
}
