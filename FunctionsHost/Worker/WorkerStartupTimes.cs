namespace FunctionsHost.Worker;

/// <summary>How long the worker took from process launch to each start-up milestone.</summary>
public sealed record WorkerStartupTimes(TimeSpan StartStream, TimeSpan Initialized, TimeSpan FunctionsLoaded)
{
    public override string ToString() =>
        $"worker launch -> StartStream {StartStream.TotalMilliseconds:F0} ms, -> WorkerInitResponse {Initialized.TotalMilliseconds:F0} ms, " +
        $"-> all functions loaded {FunctionsLoaded.TotalMilliseconds:F0} ms";
}
