"""Drives Mesh with python-consul (Debian's python3-consul), an unmodified Consul client library.

Usage: python_consul_client.py <port>. Prints one JSON object with what the client saw; the C# test asserts on it.
Steps run in order; each failure is reported in "errors" rather than aborting, so the test shows all of them.
"""
import json
import sys
import threading

import consul

port = int(sys.argv[1])
c = consul.Consul(host="127.0.0.1", port=port)
seen = {"errors": []}


def step(name, fn):
    try:
        seen[name] = fn()
    except Exception as e:  # the test reports every failed step
        seen["errors"].append("%s: %s: %s" % (name, type(e).__name__, e))


step("register", lambda: c.agent.service.register(
    "web", service_id="web-1", address="127.0.0.1", port=8080, tags=["v1", "primary"]))
step("register_ttl", lambda: c.agent.service.register(
    "worker", service_id="worker-1", address="127.0.0.1", port=9000, check=consul.Check.ttl("30s")))


def health_web():
    index, nodes = c.health.service("web", passing=True)
    return {"index": index, "ids": [n["Service"]["ID"] for n in nodes],
            "ports": [n["Service"]["Port"] for n in nodes], "tags": [n["Service"]["Tags"] for n in nodes]}


step("health_web", health_web)


def worker_passing():
    _, nodes = c.health.service("worker", passing=True)
    return [n["Service"]["ID"] for n in nodes]


step("worker_passing_before_ttl", worker_passing)
step("ttl_pass", lambda: c.agent.check.ttl_pass("service:worker-1", "all good"))
step("worker_passing_after_ttl", worker_passing)
step("catalog_services", lambda: c.catalog.services()[1])
step("catalog_web", lambda: [s["ServiceID"] for s in c.catalog.service("web")[1]])
step("agent_services", lambda: sorted(c.agent.services().keys()))


def blocking():
    index, _ = c.health.service("web")
    result = {}

    def wait():
        new_index, nodes = c.health.service("web", index=index, wait="20s")
        result["index_moved"] = int(new_index) > int(index)
        result["ids"] = sorted(n["Service"]["ID"] for n in nodes)

    t = threading.Thread(target=wait)
    t.start()
    c.agent.service.register("web", service_id="web-2", address="127.0.0.1", port=8081)
    t.join(30)
    result["returned"] = not t.is_alive()
    return result


step("blocking", blocking)
step("deregister", lambda: c.agent.service.deregister("web-1"))
step("catalog_web_after_deregister", lambda: [s["ServiceID"] for s in c.catalog.service("web")[1]])
step("leader", lambda: c.status.leader())

print(json.dumps(seen))
