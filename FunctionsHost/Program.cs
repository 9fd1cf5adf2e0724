using System.Runtime.InteropServices;
using FunctionsHost.LocalRun;

// `dotnet run --project FunctionsHost -- <app build output>`: runs the app as `func start` would,
// reading local.settings.json from where the run starts (the current directory), as Core Tools does.
// Ctrl-C and SIGTERM stop taking work, let what runs finish briefly, stop the worker and exit 0.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
var exitCode = await LocalRunner.RunAsync(args, Environment.CurrentDirectory, LocalRunner.Environment(), Console.Out, stop.Token);
return exitCode;
