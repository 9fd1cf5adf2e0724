using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Dispatch;

/// <summary>Adds an action to the dispatcher: one line per action in the composition root.</summary>
public static class WorkActionRegistration
{
    /// <summary>
    /// Routes messages whose <c>action</c> is <typeparamref name="TCommand"/>'s to
    /// <typeparamref name="THandler"/>. The route is a keyed service whose key is the action name,
    /// so the dispatcher finds it by the message's action with a single lookup and an unknown
    /// action is simply a missing key; the route gets its handler by injection, in the same scope.
    /// </summary>
    public static IServiceCollection AddWorkAction<TCommand, THandler>(this IServiceCollection services)
        where TCommand : IWorkCommand<TCommand>
        where THandler : class, ICommandHandler<TCommand>
    {
        services.AddKeyedScoped<IActionRoute, ActionRoute<TCommand>>(TCommand.Action);
        services.AddScoped<ICommandHandler<TCommand>, THandler>();
        return services;
    }
}
