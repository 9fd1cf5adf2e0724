using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace TemplateApp;

/// <summary>
/// The HttpTrigger template's function, answering a greeting string for <c>?name=</c> on the app's
/// route (/api/hello), so both answer the same request. No body parsing, no validation.
/// </summary>
public sealed class HttpGreeting(ILogger<HttpGreeting> logger)
{
    [Function(nameof(HttpGreeting))]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "hello")] HttpRequest req)
    {
        // The template logs one line per request; it is kept, since a user starts with it.
        logger.LogInformation("The greeting function handled a request.");
        string? name = req.Query["name"];
        return new OkObjectResult(string.IsNullOrEmpty(name) ? "Hello! Welcome to serverless." : $"Hello {name}! Welcome to serverless.");
    }
}
