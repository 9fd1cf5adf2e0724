using Azure;
using Azure.Storage.Queues;

namespace FunctionsHost.LocalRun;

/// <summary>
/// The storage check before a local run starts the worker: the account answers with the app's
/// credentials, and the queues the app names exist, so a wrong setting is one clear line instead
/// of a listener retrying in the background.
/// </summary>
internal static class LocalStorage
{
    public static async Task PrepareAsync(string connection, IReadOnlyList<string> queues, TextWriter output, CancellationToken stop)
    {
        QueueServiceClient service;
        try
        {
            var options = new QueueClientOptions();
            options.Retry.MaxRetries = 1;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
            service = new QueueServiceClient(connection, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new LocalRunException($"The app setting '{LocalRunner.StorageSetting}' is not a valid storage connection string ({ex.GetType().Name}).", ex);
        }

        try
        {
            await service.GetPropertiesAsync(stop);
            foreach (var queue in queues)
            {
                await service.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: stop);
            }
        }
        catch (RequestFailedException ex) when (ex.Status != 0)
        {
            throw new LocalRunException(
                $"Storage at {service.Uri} refused the app's credentials ({LocalRunner.StorageSetting}): {ex.Status} {ex.ErrorCode}. Check the account name and key in the setting.", ex);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
        {
            throw new LocalRunException(
                $"Storage is not reachable at {service.Uri} ({LocalRunner.StorageSetting}): {FirstLine(ex)}. " +
                "Start Azurite (scripts/run-local.sh starts one) or correct the setting.", ex);
        }

        if (queues.Count > 0)
        {
            await output.WriteLineAsync($"Storage at {service.Uri} is reachable; queues ready: {string.Join(", ", queues)}.");
        }
    }

    private static string FirstLine(Exception ex)
    {
        var inner = ex is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[^1] : ex;
        var message = inner.InnerException is HttpRequestException http ? http.Message : inner.Message;
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
