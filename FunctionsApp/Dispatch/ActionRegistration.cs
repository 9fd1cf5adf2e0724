using Microsoft.Extensions.DependencyInjection;

namespace FunctionsApp.Dispatch;

/// <summary>Adds an action to the dispatcher: one line per action in the composition root.</summary>
public static class ActionRegistration
{
    /// <summary>
    /// Runs messages whose <c>action</c> is <typeparamref name="TAction"/>'s name through
    /// <typeparamref name="THandler"/>. The runner is a keyed service whose key is the action name,
    /// so the dispatcher finds it by the message's action with a single lookup and an unknown
    /// action is simply a missing key; the runner gets its handler by injection, in the same scope.
    /// </summary>
    public static IServiceCollection AddAction<TAction, THandler>(this IServiceCollection services)
        where TAction : IAction<TAction>
        where THandler : class, IActionHandler<TAction>
    {
        services.AddKeyedScoped<IActionRunner, ActionRunner<TAction>>(TAction.Name);
        services.AddScoped<IActionHandler<TAction>, THandler>();
        return services;
    }
}
