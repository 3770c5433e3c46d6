using Microsoft.OpenApi;

namespace Gantry.Server.Hosting;

/// <summary>Request and response content the endpoint metadata cannot say by itself in the OpenAPI document.</summary>
public static class OpenApiBodies
{
    /// <summary>
    /// Adds plain-text media types to the operation's request body, beside what <c>Accepts</c> declared: endpoint
    /// metadata holds one accepted body type, and a PEM upload is a string where its JSON form is an object.
    /// </summary>
    public static TBuilder AcceptsText<TBuilder>(this TBuilder builder, params string[] mediaTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var body = operation.RequestBody as OpenApiRequestBody ?? new OpenApiRequestBody();
            body.Content ??= new Dictionary<string, OpenApiMediaType>();
            operation.RequestBody = body;
            foreach (var mediaType in mediaTypes)
            {
                body.Content[mediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }

            return Task.CompletedTask;
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
