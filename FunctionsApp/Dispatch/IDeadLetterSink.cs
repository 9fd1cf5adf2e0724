namespace FunctionsApp.Dispatch;

/// <summary>Parks messages that can never succeed, so none is silently dropped.</summary>
public interface IDeadLetterSink
{
    Task SendAsync(DeadLetterEnvelope envelope, CancellationToken cancellationToken);
}
