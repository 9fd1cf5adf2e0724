using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The template's Program.cs (ASP.NET Core integration), plus one registration: the reports
// container, named by the same settings FunctionsApp reads (AzureWebJobsStorage as a connection
// string, Reports:ContainerName), so the same message yields the same blob in the same place.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddSingleton(_ => new BlobServiceClient(builder.Configuration["AzureWebJobsStorage"])
    .GetBlobContainerClient(builder.Configuration["Reports:ContainerName"] ?? "reports"));
builder.Build().Run();
