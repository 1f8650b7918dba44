# The `mesh` image: one binary, every role (MESH__ROLE = all | agent | registry | edge); docker-compose.yml runs a
# cluster of it.
#
# NOT EXERCISED HERE: the test machines cannot pull the official .NET images (mcr.microsoft.com), so this file is
# never built by the test run. tests/EndToEnd/ComposeFileTests check docker-compose.yml with `docker-compose config`,
# and the end-to-end tests run the same topology as processes on loopback.
#
#   docker build -t mesh:latest .
#   docker run --rm -p 8500:8500 -p 8080:8080 -p 8600:8600/udp -p 8600:8600/tcp -v mesh-data:/var/lib/mesh mesh:latest
#
# Plain Dockerfile syntax (no BuildKit-only features), so docker-compose 1.29's classic builder builds it as well.

# ---- build -------------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# What `dotnet publish src/Host` reads: the SDK pin, the shared build settings, central package versions, and src/.
# (Copying the project files alone first would cache the restore, but the list of projects would go stale.)
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Host -c Release -o /app

# ---- run ---------------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS run

# The aspnet image asks ASP.NET Core to listen on :8080 (ASPNETCORE_HTTP_PORTS); Mesh chooses its own listeners
# (Mesh:Api:Url, Mesh:Gateway:Url), and 8080 is the gateway's, so take that default away.
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1

# Listen on every interface of the container (Mesh's own defaults are 127.0.0.1, right for a process on a host,
# useless behind a published port), and keep the data in a directory meant for a volume.
ENV MESH__API__URL=http://0.0.0.0:8500 \
    MESH__GATEWAY__URL=http://0.0.0.0:8080 \
    MESH__DNS__ADDRESS=0.0.0.0 \
    MESH__DNS__PORT=8600 \
    MESH__DATADIR=/var/lib/mesh

COPY --from=build /app /app
# `docker compose exec edge-1 mesh at -15m`: the CLI verbs through the published app host.
RUN ln -s /app/mesh /usr/local/bin/mesh \
    && mkdir -p /var/lib/mesh \
    && chown "$APP_UID" /var/lib/mesh

# API (Consul-compatible, /healthz, /metrics, /v1/mesh/status, UI), gateway, DNS on UDP and TCP.
EXPOSE 8500/tcp 8080/tcp 8600/udp 8600/tcp

# Health: the image has no curl or wget, and adding one (apt in this stage) buys nothing that bash cannot do, so
# docker-compose.yml checks /healthz with bash's /dev/tcp; the check lives there because the API port is whatever
# MESH__API__URL says for each service, and compose knows it.

# The non-root user every .NET image provides (APP_UID, 1654). The agent reads the host's Docker socket, which
# belongs to root:docker with a group id that differs from host to host: docker-compose.yml runs the agent as root
# (access to the Docker socket is root on that host anyway) and says how to run it as this user instead.
USER $APP_UID
# No VOLUME here (it would leave an anonymous volume behind every `docker run`): each process keeps its checkpoint
# of the log in /var/lib/mesh, and docker-compose.yml gives each service a named volume of its own.
WORKDIR /var/lib/mesh

ENTRYPOINT ["dotnet", "/app/mesh.dll"]
