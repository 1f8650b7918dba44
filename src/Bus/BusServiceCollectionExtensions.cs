using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Mesh.Bus.Clients;
using Mesh.Bus.Consumers;
using Mesh.Bus.Contracts;
using Mesh.Bus.Status;
using Mesh.Registry.Configuration;
using Mesh.Registry.Health;
using Mesh.Registry.Instances;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Bus;

public static class BusServiceCollectionExtensions
{
    private const int Partitions = 8;

    /// <summary>
    /// The bus for <paramref name="role"/> (<c>Mesh:Bus</c>): MassTransit over RabbitMQ or in memory, and
    /// <see cref="BusStatus"/>. <see cref="BusRole.Registry"/> consumes <see cref="BusQueues.Observations"/> and
    /// <see cref="BusQueues.Requests"/> with the <see cref="IObservationHandler"/> keyed <see cref="BusServiceKeys.Registry"/>
    /// (the process's <see cref="InstanceRegistry"/> unless one was registered under that key first) and leaves the
    /// process's <see cref="IObservationHandler"/> alone. <see cref="BusRole.Agent"/> and <see cref="BusRole.Edge"/>
    /// replace <see cref="IObservationHandler"/> with one that sends over the bus: call this after
    /// <c>AddMeshRegistry</c>. <see cref="BusRole.Registry"/> and <see cref="BusRole.Edge"/>, which serve the Consul API,
    /// replace the API's <see cref="ITtlHeartbeatSink"/> with one that also publishes each TTL beat
    /// (<see cref="TtlBeat"/>), and every registry records the beats it receives in its own <see cref="TtlHeartbeats"/>.
    /// Role <c>all</c> needs no bus: do not call this at all.
    /// </summary>
    public static IServiceCollection AddMeshBus(this IServiceCollection services, IConfiguration configuration, BusRole role)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!Enum.IsDefined(role)) throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown bus role.");

        var section = configuration.GetSection(BusOptions.Section);
        services.AddOptions<BusOptions>().Bind(section).ValidateSelfOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new BusStatus(
            role, sp.GetRequiredService<IOptions<BusOptions>>().Value, sp, sp.GetRequiredService<TimeProvider>()));
        services.AddReceiveEndpointObserver<BusStatusObserver>();
        // Stopping must not hang on an unreachable broker.
        services.AddOptions<MassTransitHostOptions>().Configure(o => o.StopTimeout ??= TimeSpan.FromSeconds(15));

        // The transport is chosen here; an unknown one fails BusOptions' validation when the host starts.
        var rabbitMq = string.Equals(section["Transport"], BusOptions.RabbitMqTransport, StringComparison.OrdinalIgnoreCase);
        services.AddMassTransit(x =>
        {
            if (role == BusRole.Registry)
            {
                x.AddConsumer<RegistryConsumer>();
                x.AddConsumer<TtlBeatConsumer>();
            }
            if (rabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    var options = context.GetRequiredService<IOptions<BusOptions>>().Value;
                    var broker = options.RabbitMq;
                    cfg.Host(broker.Host, (ushort)broker.Port, broker.VirtualHost, $"mesh-{role.ToString().ToLowerInvariant()}", h =>
                    {
                        h.Username(broker.Username);
                        h.Password(broker.Password);
                        // Send returns once the broker has the message: what lets an agent say "queued".
                        h.PublisherConfirmation = true;
                    });
                    ConfigureEndpoints(role, context, cfg, options);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) => ConfigureEndpoints(role, context, cfg, context.GetRequiredService<IOptions<BusOptions>>().Value));
            }
        });

        if (role is BusRole.Registry or BusRole.Edge)
        {
            // The health checker runs on the leading registry only: TTL beats the API takes here go to every registry.
            services.AddMeshTtlHeartbeats();
            services.RemoveAll<ITtlHeartbeatSink>();
            services.AddSingleton<ITtlHeartbeatSink, BusTtlHeartbeatSink>();
        }
        switch (role)
        {
            case BusRole.Registry:
                services.TryAddKeyedSingleton<IObservationHandler>(BusServiceKeys.Registry, (sp, _) => sp.GetRequiredService<InstanceRegistry>());
                break;
            case BusRole.Agent:
                services.RemoveAll<IObservationHandler>();
                services.AddSingleton<IObservationHandler, AgentObservationSender>();
                break;
            case BusRole.Edge:
                services.RemoveAll<IObservationHandler>();
                services.AddSingleton<IObservationHandler, EdgeObservationForwarder>();
                break;
        }
        return services;
    }

    private static void ConfigureEndpoints(BusRole role, IBusRegistrationContext context, IBusFactoryConfigurator cfg, BusOptions options)
    {
        if (role != BusRole.Registry)
        {
            // A consuming endpoint of its own (an auto-deleted queue), so that a lost broker shows in the bus's health.
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition($"mesh-{role.ToString().ToLowerInvariant()}-status"), KebabCaseEndpointNameFormatter.Instance, e =>
            {
                e.ConfigureConsumeTopology = false;
                e.Handler<BusProbe>(_ => Task.CompletedTask);
            });
            return;
        }
        // TTL beats, published by every API: a queue of this process's own (auto-deleted, named after the host and
        // process), bound to the TtlBeat exchange, so that every registry gets every beat (no competing here).
        cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(BusQueues.TtlBeatsTag), KebabCaseEndpointNameFormatter.Instance, e =>
        {
            e.ConfigureConsumer<TtlBeatConsumer>(context);
        });
        foreach (var queue in (string[])[BusQueues.Observations, BusQueues.Requests])
        {
            cfg.ReceiveEndpoint(queue, e =>
            {
                // Messages arrive by queue address only: no exchange per message type is bound to these queues.
                e.ConfigureConsumeTopology = false;
                // Per instance (and per source stream) in the order they arrived, different ones side by side.
                var partitioner = e.CreatePartitioner(Partitions);
                e.UsePartitioner<DecideObservation>(partitioner, c => PartitionKey($"instance-{c.Message.InstanceId}"));
                e.UsePartitioner<RecordSourceEvent>(partitioner, c => PartitionKey($"source-{c.Message.Source}-{c.Message.Node}"));
                e.UseMessageRetry(r =>
                {
                    if (options.RetryLimit == 0) r.None();
                    else r.Incremental(options.RetryLimit, options.RetryInterval, options.RetryInterval);
                    // An unusable instance id fails the same way every time.
                    r.Ignore<ArgumentException>();
                });
                e.ConfigureConsumer<RegistryConsumer>(context);
            });
        }
    }

    private static Guid PartitionKey(string key) => new(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
}
