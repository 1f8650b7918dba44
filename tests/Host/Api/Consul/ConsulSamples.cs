namespace Mesh.Host.Tests.Api.Consul;

/// <summary>
/// Consul's documented JSON samples, verbatim (hashicorp/consul website docs, via the project's shared fixtures;
/// see fixtures/SOURCES.md there). The tests compare Mesh's answers to their shapes.
/// </summary>
internal static class ConsulSamples
{
    /// <summary><c>catalog-service.json</c>.</summary>
    public const string CatalogService = """
        [
          {
            "ID": "40e4a748-2192-161a-0510-9bf59fe950b5",
            "Node": "t2.320",
            "Address": "192.168.10.10",
            "Datacenter": "dc1",
            "TaggedAddresses": {
              "lan": "192.168.10.10",
              "wan": "10.0.10.10"
            },
            "NodeMeta": {
              "somekey": "somevalue"
            },
            "CreateIndex": 51,
            "ModifyIndex": 51,
            "ServiceAddress": "172.17.0.3",
            "ServiceEnableTagOverride": false,
            "ServiceID": "32a2a47f7992:nodea:5000",
            "ServiceName": "web",
            "ServicePort": 5000,
            "ServiceMeta": {
              "web_meta_value": "baz"
            },
            "ServiceTaggedAddresses": {
              "lan": {
                "address": "172.17.0.3",
                "port": 5000
              },
              "wan": {
                "address": "198.18.0.1",
                "port": 512
              }
            },
            "ServiceTags": ["prod"],
            "ServiceProxy": {
              "DestinationServiceName": "",
              "DestinationServiceID": "",
              "LocalServiceAddress": "",
              "LocalServicePort": 0,
              "Config": null,
              "Upstreams": null
            },
            "ServiceConnect": {
              "Native": false,
              "Proxy": null
            },
            "Namespace": "default"
          }
        ]
        """;

    /// <summary><c>health-service.json</c>.</summary>
    public const string HealthService = """
        [
          {
            "Node": {
              "ID": "40e4a748-2192-161a-0510-9bf59fe950b5",
              "Node": "foobar",
              "Address": "10.1.10.12",
              "Datacenter": "dc1",
              "TaggedAddresses": {
                "lan": "10.1.10.12",
                "wan": "10.1.10.12"
              },
              "Meta": {
                "instance_type": "t2.medium"
              }
            },
            "Service": {
              "ID": "redis",
              "Service": "redis",
              "Tags": ["primary"],
              "Address": "10.1.10.12",
              "TaggedAddresses": {
                "lan": {
                  "address": "10.1.10.12",
                  "port": 8000
                },
                "wan": {
                  "address": "198.18.1.2",
                  "port": 80
                }
              },
              "Meta": {
                "redis_version": "4.0"
              },
              "Port": 8000,
              "Weights": {
                "Passing": 10,
                "Warning": 1
              },
              "Namespace": "default"
            },
            "Checks": [
              {
                "Node": "foobar",
                "CheckID": "service:redis",
                "Name": "Service 'redis' check",
                "Status": "passing",
                "Notes": "",
                "Output": "",
                "ServiceID": "redis",
                "ServiceName": "redis",
                "ServiceTags": ["primary"],
                "Namespace": "default"
              },
              {
                "Node": "foobar",
                "CheckID": "serfHealth",
                "Name": "Serf Health Status",
                "Status": "passing",
                "Notes": "",
                "Output": "",
                "ServiceID": "",
                "ServiceName": "",
                "ServiceTags": [],
                "Namespace": "default"
              }
            ]
          }
        ]
        """;

    /// <summary><c>agent-services.json</c>.</summary>
    public const string AgentServices = """
        {
          "redis": {
            "ID": "redis",
            "Service": "redis",
            "Tags": [],
            "TaggedAddresses": {
              "lan": {
                "address": "127.0.0.1",
                "port": 8000
              },
              "wan": {
                "address": "198.51.100.53",
                "port": 80
              }
            },
            "Meta": {
              "redis_version": "4.0"
            },
            "Namespace": "default",
            "Port": 8000,
            "Address": "",
            "EnableTagOverride": false,
            "Datacenter": "dc1",
            "Weights": {
              "Passing": 10,
              "Warning": 1
            }
          }
        }
        """;

    /// <summary><c>catalog-services.json</c>.</summary>
    public const string CatalogServices = """
        {
          "consul": [],
          "redis": [],
          "postgresql": ["primary", "secondary"]
        }
        """;

    /// <summary><c>agent-service-register.json</c>.</summary>
    public const string AgentServiceRegister = """
        {
          "ID": "redis1",
          "Name": "redis",
          "Tags": [
            "primary",
            "v1"
          ],
          "Address": "127.0.0.1",
          "Port": 8000,
          "Meta": {
            "redis_version": "4.0"
          },
          "EnableTagOverride": false,
          "Check": {
            "DeregisterCriticalServiceAfter": "90m",
            "Args": ["/usr/local/bin/check_redis.py"],
            "HTTP": "http://localhost:5000/health",
            "Interval": "10s",
            "TTL": "15s"
          },
          "Weights": {
            "Passing": 10,
            "Warning": 1
          }
        }
        """;
}
