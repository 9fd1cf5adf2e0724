using System.Collections.Concurrent;
using System.Threading.Channels;
using FunctionsHost.Logging;
using FunctionsHost.Worker;
using Grpc.Core;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using GrpcException = Grpc.Core.RpcException;

namespace FunctionsHost.Rpc;

/// <summary>
/// The host's end of one worker's event stream: sends requests through a single writer loop (gRPC
/// allows one write at a time per stream), matches replies by request id and invocation responses
/// by invocation id, records RpcLogs, and fails everything pending at once when the worker goes.
/// </summary>
public sealed class WorkerRpcChannel(string workerId, WorkerLogs logs)
{
    private readonly Channel<StreamingMessage> outbound =
        Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });

    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> replies = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> invocations = new();

    // Invocations past their timeout that the worker has not answered yet: the host has given up on
    // them, but a late answer still ends them (and tells the host the worker need not be restarted).
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> overdue = new();
    private readonly ConcurrentQueue<InvocationRecord> history = new();
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? failure;
    private int attached;

    /// <summary>Completes when the worker has opened its stream and sent StartStream.</summary>
    public Task Started => started.Task;

    /// <summary>The worker's own HTTP endpoint when it advertised the <c>HttpUri</c> capability at init; else null.</summary>
    public Uri? HttpUri { get; set; }

    /// <summary>
    /// Whether the worker advertised the <c>HandlesInvocationCancelMessage</c> capability at init: the
    /// Functions host sends InvocationCancel only to a worker that did.
    /// </summary>
    public bool HandlesInvocationCancel { get; set; }

    /// <summary>Invocations sent and not answered yet, not counting those past their timeout (the host has given up on them).</summary>
    public int PendingInvocations => invocations.Count;

    /// <summary>Every invocation that has ended, in the order they ended.</summary>
    public IReadOnlyList<InvocationRecord> History => history.ToArray();

    /// <summary>Why the channel stopped working, once it has.</summary>
    public Exception? Failure => Volatile.Read(ref failure);

    /// <summary>Serves the worker's one EventStream call until the worker or the host ends it.</summary>
    public async Task RunStreamAsync(
        IAsyncStreamReader<StreamingMessage> requests,
        IServerStreamWriter<StreamingMessage> responses,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        if (Interlocked.Exchange(ref attached, 1) != 0)
        {
            throw new GrpcException(new Status(StatusCode.AlreadyExists, "This host serves a single worker stream."));
        }

        var writer = WriteLoopAsync(responses, cancellationToken);
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                Receive(requests.Current);
            }

            Fail(new WorkerUnavailableException("The worker closed its event stream."));
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or GrpcException or InvalidOperationException)
        {
            Fail(new WorkerUnavailableException($"The worker's event stream broke: {ex.Message}", ex));
        }

        outbound.Writer.TryComplete();
        try
        {
            await writer;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or GrpcException or InvalidOperationException)
        {
            // The stream is gone; nothing more can be written to it.
        }
    }

    /// <summary>Sends a request and waits for the reply carrying the same request id.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.RequestId = Guid.NewGuid().ToString();
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        replies[request.RequestId] = reply;
        try
        {
            Send(request);
            FailIfGone(reply);
            return await reply.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker did not answer {request.ContentCase} within {timeout.TotalSeconds} s.");
        }
        finally
        {
            replies.TryRemove(request.RequestId, out _);
        }
    }

    /// <summary>
    /// Sends an invocation and waits for its response; fails at once if the worker goes. Past
    /// <paramref name="timeout"/> it sends InvocationCancel (when the worker handles it) and throws
    /// <see cref="FunctionTimeoutException"/>, whose <see cref="FunctionTimeoutException.LateResponse"/>
    /// still sees the worker's answer if one comes.
    /// </summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!invocations.TryAdd(request.InvocationId, response))
        {
            throw new ArgumentException($"Invocation {request.InvocationId} is already pending.", nameof(request));
        }

        try
        {
            Send(new StreamingMessage { InvocationRequest = request });
            FailIfGone(response);
            var result = await response.Task.WaitAsync(timeout);
            history.Enqueue(new InvocationRecord(request, result, null));
            return result;
        }
        catch (TimeoutException)
        {
            // The worker is still running it: it stays overdue until the worker answers or goes, so
            // a late answer is seen (and the host can tell whether to restart the worker).
            overdue[request.InvocationId] = response;
            FailIfGone(response);
            _ = response.Task.ContinueWith(
                ended =>
                {
                    overdue.TryRemove(request.InvocationId, out _);
                    _ = ended.Exception; // observed: a worker that goes first fails it, and nobody may wait on it
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            var cancelSent = TrySendCancel(request.InvocationId);
            var timedOut = new FunctionTimeoutException(
                $"Timeout value of {FunctionTimeoutSetting.Describe(timeout)} was exceeded by invocation {request.InvocationId}" +
                (cancelSent ? "; InvocationCancel was sent to the worker." : "; the worker does not handle InvocationCancel."),
                request.InvocationId,
                timeout,
                response.Task);
            history.Enqueue(new InvocationRecord(request, null, timedOut));
            throw timedOut;
        }
        catch (Exception ex) when (ex is WorkerUnavailableException)
        {
            history.Enqueue(new InvocationRecord(request, null, ex));
            throw;
        }
        finally
        {
            invocations.TryRemove(request.InvocationId, out _);
        }
    }

    /// <summary>Asks the worker to cancel an invocation, as the Functions host does on a timeout; false when the worker does not handle it or is gone.</summary>
    public bool TrySendCancel(string invocationId)
    {
        if (!HandlesInvocationCancel)
        {
            return false;
        }

        try
        {
            // The Functions host sets no grace period: the worker cancels the function's token at once.
            Send(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });
            return true;
        }
        catch (WorkerUnavailableException)
        {
            return false;
        }
    }

    /// <summary>Queues a message that needs no reply (WorkerTerminate).</summary>
    public void Send(StreamingMessage message)
    {
        if (Failure is { } gone)
        {
            throw new WorkerUnavailableException(gone.Message, gone);
        }

        if (!outbound.Writer.TryWrite(message))
        {
            throw new WorkerUnavailableException("The worker's event stream is closed.");
        }
    }

    /// <summary>Marks the worker as gone: every pending request and invocation fails with <paramref name="reason"/>.</summary>
    public void Fail(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Interlocked.CompareExchange(ref failure, reason, null);
        var first = Failure!;
        started.TrySetException(first);
        foreach (var pending in replies.Values)
        {
            pending.TrySetException(first);
        }

        foreach (var pending in invocations.Values.Concat(overdue.Values))
        {
            pending.TrySetException(first);
        }
    }

    private void FailIfGone<T>(TaskCompletionSource<T> pending)
    {
        // Fail() may have run between registering and sending; it would have missed this one.
        if (Failure is { } gone)
        {
            pending.TrySetException(gone);
        }
    }

    private async Task WriteLoopAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        await foreach (var message in outbound.Reader.ReadAllAsync(cancellationToken))
        {
            await responses.WriteAsync(message, cancellationToken);
        }
    }

    private void Receive(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                if (message.StartStream.WorkerId != workerId)
                {
                    Fail(new WorkerUnavailableException(
                        $"A worker with id '{message.StartStream.WorkerId}' connected; expected '{workerId}'."));
                }

                started.TrySetResult();
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                logs.Add(WorkerLogEntry.FromRpcLog(message.RpcLog, DateTimeOffset.UtcNow));
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (invocations.TryGetValue(message.InvocationResponse.InvocationId, out var invocation)
                    || overdue.TryGetValue(message.InvocationResponse.InvocationId, out invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }

                break;
            case StreamingMessage.ContentOneofCase.None:
                // The worker answers WorkerTerminate and InvocationCancel with an empty message.
                break;
            default:
                if (replies.TryGetValue(message.RequestId, out var reply))
                {
                    reply.TrySetResult(message);
                }
                else
                {
                    var contentCase = message.ContentCase.ToString();
                    HostLog.UnsolicitedMessage(logs.Host, contentCase, message.RequestId);
                }

                break;
        }
    }
}
