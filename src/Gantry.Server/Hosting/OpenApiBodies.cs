using Microsoft.OpenApi;

namespace Gantry.Server.Hosting;

/// <summary>Request and response content the endpoint metadata cannot say by itself in the OpenAPI document.</summary>
/// <remarks>
/// Only the document changes: <c>Accepts</c> metadata would also make routing refuse every other content type with a
/// 415 before the handler, where these handlers read the body themselves and answer in their own words (OAuth's
/// <c>invalid_request</c>, a PEM under any non-JSON type).
/// </remarks>
public static class OpenApiBodies
{
    /// <summary>
    /// Declares the body a handler reads itself: <typeparamref name="T"/> as JSON, and each of
    /// <paramref name="textMediaTypes"/> as a plain string (a form is described by the same fields).
    /// </summary>
    public static TBuilder DescribesBody<T, TBuilder>(this TBuilder builder, params string[] textMediaTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), cancellationToken: cancellationToken);
            var body = operation.RequestBody as OpenApiRequestBody ?? new OpenApiRequestBody { Required = true };
            body.Content ??= new Dictionary<string, OpenApiMediaType>();
            operation.RequestBody = body;
            body.Content["application/json"] = new OpenApiMediaType { Schema = schema };
            foreach (var mediaType in textMediaTypes)
            {
                body.Content[mediaType] = new OpenApiMediaType
                {
                    Schema = mediaType == "application/x-www-form-urlencoded" ? schema : new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }

            // Endpoint transformers run after the document's, so the body problems are declared here too.
            await ProblemResponses.DeclareAsync(operation, context, ProblemResponses.BodyProblems, cancellationToken);
        });

    /// <summary>Adds a plain-text form of the 200 answer, beside the JSON one <c>Results&lt;Ok&lt;T&gt;, …&gt;</c> declares.</summary>
    public static TBuilder ProducesText<TBuilder>(this TBuilder builder, string mediaType)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content[mediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }

            return Task.CompletedTask;
        });
}
