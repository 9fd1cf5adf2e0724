using FunctionsApp;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// Composition only: everything the app registers lives in AddFunctionsApp, so tests build the
// same container from the same code.
var builder = FunctionsApplication.CreateBuilder(args);
// ASP.NET Core integration: HTTP functions take HttpRequest and return IResult, and the Functions
// host forwards each request to the worker's own Kestrel whole (chunked bodies included).
builder.ConfigureFunctionsWebApplication();
builder.Services.AddFunctionsApp(builder.Configuration);
builder.Build().Run();
