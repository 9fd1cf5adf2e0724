namespace FunctionsApp.Notifications;

/// <summary>Delivers notifications to wherever users receive them.</summary>
public interface INotificationSender
{
    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}
