namespace FunctionsApp.Notifications;

/// <summary>Remembers which idempotency keys were sent, so a redelivered message sends nothing twice.</summary>
public interface ISentNotificationLog
{
    Task<bool> ContainsAsync(string idempotencyKey, CancellationToken cancellationToken);

    Task AddAsync(string idempotencyKey, CancellationToken cancellationToken);
}
