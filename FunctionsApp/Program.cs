using FunctionsApp;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// Composition only: everything the app registers lives in AddFunctionsApp, so tests build the
// same container from the same code.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddFunctionsApp(builder.Configuration);
builder.Build().Run();
