using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsApp;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;

// What FunctionsApp's Program.cs does before Run(): the benchmark times launch -> "built", so the
// difference to the worker's start is what connecting to the host and loading functions costs.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddFunctionsApp(builder.Configuration);
using var host = builder.Build();

// The storage clients are created lazily; resolving them puts their construction in the figure,
// as the worker pays it before its first invocation.
host.Services.GetRequiredService<BlobServiceClient>();
host.Services.GetRequiredService<QueueServiceClient>();
Console.WriteLine("built");
