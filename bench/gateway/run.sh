#!/usr/bin/env bash
# Mesh's gateway vs nginx vs direct, under the same wrk load. Run with --help for what it does and prints.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/gateway/run.sh [options]

Compares three ways of reaching one small HTTP backend under the same wrk load, on loopback only:

  backend  nginx, 1 worker, pinned to core LOAD_CPU (1), answering `return 200 "hello\n"`
  gateway  Mesh's gateway (the Release `mesh` app, `dotnet mesh.dll run`), pinned to core PROXY_CPU (0); the
           backend is registered as service `bench` through the Consul API and reached with `Host: bench.mesh`
  nginx    a second nginx as reverse proxy, 1 worker, pinned to core PROXY_CPU (0):
           upstream keepalive 64, proxy_http_version 1.1, Connection "", access_log off
  direct   wrk straight to the backend

Load: `taskset -c LOAD_CPU wrk -t1 -c CONNECTIONS -d DURATION s --latency -H 'Host: bench.mesh' URL`, on the same
core as the backend, so the proxy has a core to itself. Each target gets one WARMUP-second wrk run (the gateway
GATEWAY_WARMUP seconds; not reported) before its first measured run. Order: direct, then PAIRS pairs of
(gateway, nginx), then direct again.

For every measured run it prints requests/s and p99 (ms) from wrk, the requests wrk completed, the proxy's CPU
seconds over the run (utime+stime from /proc/<pid>/stat, fields 14 and 15, / CLK_TCK, sampled just before and
after wrk; nginx: master + workers; gateway: the dotnet process), requests per proxy CPU-second, the backend's CPU
seconds, and wrk's non-2xx/3xx responses + socket errors. Then the medians per target, the medians over pairs of
the per-pair ratios gateway/nginx (requests per CPU-second, p99), and the target lines:
  target: per-CPU-second ratio >= 0.8 (aim 1.0), p99 ratio <= 1.5

Options (each also settable by the environment variable in brackets):
  --pairs N          gateway/nginx pairs                                    [PAIRS, default 5]
  --duration S       seconds per measured run                               [DURATION, default 10]
  --connections N    wrk connections                                        [CONNECTIONS, default 32]
  --warmup S         seconds of the warm-up run per target, 0 for none      [WARMUP, default 3]
  --gateway-warmup S the gateway's warm-up instead                          [GATEWAY_WARMUP, default 20]
                     (with DOTNET_ReadyToRun=0 everything starts as tier-0 code, and on one core the JIT's
                     tier-1 work competes with the requests: measured on a loaded 2-core VM, 3 s of warm-up
                     left the gateway at ~3,000 req/CPU-s, 15 s at ~14,000, and it settled at ~18,000-20,000
                     after 20-25 s; nginx and the backend need no more than 3 s)
  --out FILE         also write the report (tables and medians) to FILE     [OUT]
  --no-gateway       skip Mesh's gateway: nginx and direct only             [GATEWAY=0]
  --no-build         do not run `dotnet build -c Release src/Host` first    [BUILD=0]
  --mesh-dll PATH    the mesh.dll to run              [MESH_DLL, default src/Host/bin/Release/net10.0/mesh.dll]
  --proxy-cpu N      core for the proxies                                   [PROXY_CPU, default 0]
  --load-cpu N       core for wrk and the backend                           [LOAD_CPU, default 1]
  -h, --help         this text

Mesh runs with MESH__DATADIR=<temp dir>, MESH__API__URL / MESH__GATEWAY__URL on free loopback ports,
Logging__LogLevel__Default=Warning, and DOTNET_TieredPGO=1 DOTNET_ReadyToRun=0
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1; set any of these three in the environment to override it, or to
the empty string to leave it unset. Other DOTNET_* variables in the environment pass through (e.g. DOTNET_gcServer).

If the gateway does not answer `Host: bench.mesh` with the backend's body within GATEWAY_WAIT seconds (default 60),
the script says so and exits 3. It exits 2 on bad usage or a failed build, 1 on other failures. As root on
Debian it installs wrk and nginx-light when missing. Every process it starts is stopped on exit; its temp dir is
removed (KEEP_TMP=1 keeps it, with the nginx and Mesh logs).
EOF
}

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"

PAIRS=${PAIRS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-3}
GATEWAY_WARMUP=${GATEWAY_WARMUP:-20}
OUT=${OUT:-}
GATEWAY=${GATEWAY:-1}
BUILD=${BUILD:-1}
MESH_DLL=${MESH_DLL:-$ROOT/src/Host/bin/Release/net10.0/mesh.dll}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
GATEWAY_WAIT=${GATEWAY_WAIT:-60}
KEEP_TMP=${KEEP_TMP:-0}

while [[ $# -gt 0 ]]; do
  case $1 in
    --pairs) need_value "$@"; PAIRS=$2; shift 2 ;;
    --duration) need_value "$@"; DURATION=$2; shift 2 ;;
    --connections) need_value "$@"; CONNECTIONS=$2; shift 2 ;;
    --warmup) need_value "$@"; WARMUP=$2; shift 2 ;;
    --gateway-warmup) need_value "$@"; GATEWAY_WARMUP=$2; shift 2 ;;
    --out) need_value "$@"; OUT=$2; shift 2 ;;
    --no-gateway) GATEWAY=0; shift ;;
    --no-build) BUILD=0; shift ;;
    --mesh-dll) need_value "$@"; MESH_DLL=$2; shift 2 ;;
    --proxy-cpu) need_value "$@"; PROXY_CPU=$2; shift 2 ;;
    --load-cpu) need_value "$@"; LOAD_CPU=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die 2 "unknown argument '$1' (see --help)" ;;
  esac
done
whole_numbers PAIRS DURATION CONNECTIONS WARMUP GATEWAY_WARMUP PROXY_CPU LOAD_CPU GATEWAY_WAIT
((PAIRS >= 1 && DURATION >= 1 && CONNECTIONS >= 1)) || die 2 "PAIRS, DURATION and CONNECTIONS must be at least 1"
[[ $GATEWAY == 0 || $GATEWAY == 1 ]] || die 2 "GATEWAY must be 0 or 1"

# ---------------------------------------------------------------------------------------------------------------
# Packages (as scripts/test.sh: only when missing, only as root or with password-less sudo).
# ---------------------------------------------------------------------------------------------------------------
# shellcheck source=scripts/lib/install-packages.sh
source "$ROOT/scripts/lib/install-packages.sh"
command -v dpkg-query >/dev/null && install_packages wrk nginx-light
need_tools wrk nginx taskset curl getconf ss
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
check_cores PROXY_CPU LOAD_CPU "proxy, backend and wrk"
make_tmp mesh-gateway-bench

# The pid and its children (nginx: master + workers). Children are found by parent pid in /proc.
proc_tree() {
  local root=$1 f stat rest ppid
  echo "$root"
  for f in /proc/[0-9]*/stat; do
    { read -r stat <"$f"; } 2>/dev/null || continue
    rest=${stat##*) }
    read -r _ ppid _ <<<"$rest"
    [[ $ppid == "$root" ]] && echo "${f//[^0-9]/}"
  done
  return 0
}

wait_http() { # url expected-body seconds
  local url=$1 want=$2 secs=$3 body i
  for ((i = 0; i < secs * 5; i++)); do
    body=$(curl -s --max-time 2 "$url" 2>/dev/null || true)
    [[ $body == "$want" ]] && return 0
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------------------
# nginx instances: own prefix, 1 worker, daemon off (so $! is the master), pinned with taskset.
# ---------------------------------------------------------------------------------------------------------------
nginx_conf() { # prefix port server-block
  local prefix=$1
  mkdir -p "$prefix/logs" "$prefix/tmp"
  cat >"$prefix/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  # wrk's and the upstream's connections stay open for the whole run (nginx's default closes after 1,000 requests).
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
$3
}
EOF
}

start_nginx() { # name prefix cpu port
  local name=$1 prefix=$2 cpu=$3 port=$4
  "$NGINX" -t -q -p "$prefix" -c "$prefix/nginx.conf" 2>"$prefix/logs/test.log" \
    || die 1 "$name: nginx -t failed: $(cat "$prefix/logs/test.log")"
  taskset -c "$cpu" "$NGINX" -p "$prefix" -c "$prefix/nginx.conf" >"$prefix/logs/stdout.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  wait_http "http://127.0.0.1:$port/" "hello" 15 \
    || die 1 "$name (nginx on 127.0.0.1:$port) did not answer: $(tail -5 "$prefix/logs/error.log" "$prefix/logs/stdout.log" 2>/dev/null)"
}

free_port BACKEND_PORT
free_port NGINX_PORT
nginx_conf "$TMP/backend" "$BACKEND_PORT" "  server {
    listen 127.0.0.1:$BACKEND_PORT;
    location / { return 200 \"hello\n\"; }
  }"
nginx_conf "$TMP/proxy" "$NGINX_PORT" "  upstream backend {
    server 127.0.0.1:$BACKEND_PORT;
    keepalive 64;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
  }"
log "backend: nginx on 127.0.0.1:$BACKEND_PORT, core $LOAD_CPU"
start_nginx backend "$TMP/backend" "$LOAD_CPU" "$BACKEND_PORT"
BACKEND_PID=$STARTED_PID
log "proxy: nginx on 127.0.0.1:$NGINX_PORT, core $PROXY_CPU"
start_nginx "nginx proxy" "$TMP/proxy" "$PROXY_CPU" "$NGINX_PORT"
NGINX_PID=$STARTED_PID

# ---------------------------------------------------------------------------------------------------------------
# Mesh's gateway.
# ---------------------------------------------------------------------------------------------------------------
GATEWAY_PORT=
if [[ $GATEWAY == 1 ]]; then
  build_mesh
  free_port API_PORT
  free_port GATEWAY_PORT
  log "gateway: mesh on 127.0.0.1:$GATEWAY_PORT (API 127.0.0.1:$API_PORT), core $PROXY_CPU, ${DOTNET_TUNING[*]:-no DOTNET_ tuning}"
  start_mesh "$PROXY_CPU"

  # Retried until the API answers: the registration is also the check that Mesh is up.
  register() {
    curl -sf --max-time 2 -o /dev/null -X PUT "http://127.0.0.1:$API_PORT/v1/agent/service/register" \
      -d "{\"ID\":\"bench-1\",\"Name\":\"bench\",\"Address\":\"127.0.0.1\",\"Port\":$BACKEND_PORT}"
  }
  wait_mesh "$GATEWAY_WAIT" "mesh exited before the gateway routed" register \
    || mesh_failed 3 "mesh's API on 127.0.0.1:$API_PORT did not take the registration within ${GATEWAY_WAIT}s"
  log "registered bench-1 (bench -> 127.0.0.1:$BACKEND_PORT); waiting for the gateway to route Host: bench.mesh"
  LAST=
  routes() {
    LAST=$(curl -s --max-time 2 -o "$TMP/gw-body" -w '%{http_code}' -H 'Host: bench.mesh' "http://127.0.0.1:$GATEWAY_PORT/" 2>/dev/null || true)
    [[ $LAST == 200 && $(<"$TMP/gw-body") == hello ]]
  }
  if ! wait_mesh "$GATEWAY_WAIT" "mesh exited before the gateway routed" routes; then
    case $LAST in
      000 | "") why="nothing listens on 127.0.0.1:$GATEWAY_PORT (is Mesh:Gateway:Url wired up in this build?)" ;;
      *) why="its last answer was HTTP $LAST: $(head -c 200 "$TMP/gw-body" 2>/dev/null | tr '\n' ' ')" ;;
    esac
    mesh_failed 3 "Mesh's gateway did not route Host: bench.mesh to the backend within ${GATEWAY_WAIT}s; $why. \
(--no-gateway runs nginx and direct only)"
  fi
  log "gateway routes"
fi

# ---------------------------------------------------------------------------------------------------------------
# Runs.
# ---------------------------------------------------------------------------------------------------------------
to_ms() { # wrk latency with unit -> ms
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    if (f < 0) { print "nan"; exit } printf "%.3f", n * f }'
}

url_of() {
  case $1 in
    gateway) echo "http://127.0.0.1:$GATEWAY_PORT/" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT/" ;;
    direct) echo "http://127.0.0.1:$BACKEND_PORT/" ;;
  esac
}
pid_of() {
  case $1 in
    gateway) echo "$MESH_PID" ;;
    nginx) echo "$NGINX_PID" ;;
    direct) echo "" ;;
  esac
}

wrk_run() { # seconds url output-file
  run_load "$3" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${1}s" --latency -H 'Host: bench.mesh' "$2"
}

declare -A WARMED=()
RESULTS=() # "n kind req_s p99_ms requests cpu_s req_per_cpu backend_cpu_s errors"

row_header() {
  say "$(printf '%-4s %-8s %10s %9s %10s %8s %11s %8s %7s' run target req/s p99_ms requests cpu_s req/cpu_s bk_cpu_s errors)"
}

measure() { # kind
  local kind=$1 url pid pids bpids c0 c1 b0 b1 out warmup=$WARMUP
  url=$(url_of "$kind")
  pid=$(pid_of "$kind")
  if [[ $kind == gateway ]]; then warmup=$GATEWAY_WARMUP; fi
  if [[ -z ${WARMED[$kind]:-} ]] && ((warmup > 0)); then
    log "$kind: warm-up ${warmup}s"
    wrk_run "$warmup" "$url" "$TMP/warmup-$kind.txt" || die 1 "wrk warm-up against $kind failed: $(cat "$TMP/warmup-$kind.txt")"
  fi
  WARMED[$kind]=1
  if [[ -n $pid ]]; then
    kill -0 "$pid" 2>/dev/null || die 1 "$kind (pid $pid) is no longer running"
    mapfile -t pids < <(proc_tree "$pid")
  else
    pids=()
  fi
  mapfile -t bpids < <(proc_tree "$BACKEND_PID")
  ((++RUN))
  log "run $RUN: $kind, ${DURATION}s"
  c0=$(cpu_ticks "${pids[@]}")
  b0=$(cpu_ticks "${bpids[@]}")
  wrk_run "$DURATION" "$url" "$TMP/run.txt" || die 1 "wrk against $kind failed: $(cat "$TMP/run.txt")"
  c1=$(cpu_ticks "${pids[@]}")
  b1=$(cpu_ticks "${bpids[@]}")
  out=$(<"$TMP/run.txt")
  printf '%s\n' "--- run $RUN $kind ---" "$out" >>"$TMP/wrk.txt"

  local rps p99 reqs non2xx sockerr cpu rpc bcpu errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  reqs=$(awk '/ requests in / { print $1 }' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
  sockerr=$(awk -F'[ ,]+' '/Socket errors:/ { print $5 + $7 + $9 + $11 }' <<<"$out")
  [[ -n $rps && -n $p99 && -n $reqs ]] || die 1 "could not read wrk's output for $kind: $out"
  errors=$((${non2xx:-0} + ${sockerr:-0}))
  p99=$(to_ms "$p99")
  bcpu=$(cpu_seconds $((b1 - b0)))
  if [[ -n $pid ]]; then
    cpu=$(cpu_seconds $((c1 - c0)))
    rpc=$(per_cpu_second "$reqs" $((c1 - c0)))
  else
    cpu=- rpc=-
  fi
  say "$(printf '%-4s %-8s %10.0f %9.3f %10s %8s %11s %8s %7s' "$RUN" "$kind" "$rps" "$p99" "$reqs" "$cpu" "$rpc" "$bcpu" "$errors")"
  ((errors == 0)) || say "     warning: $kind run $RUN had $errors non-2xx/3xx responses or socket errors; its figures are suspect"
  RESULTS+=("$RUN $kind $rps $p99 $reqs $cpu $rpc $bcpu $errors")
}

RUN=0
say "# Mesh gateway vs nginx vs direct — $(date -u '+%Y-%m-%d %H:%M:%SZ'), $(hostname), $CPUS cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "# wrk -t1 -c$CONNECTIONS -d${DURATION}s (core $LOAD_CPU, with the backend), proxies on core $PROXY_CPU; warm-up ${WARMUP}s (gateway ${GATEWAY_WARMUP}s); pairs $PAIRS"
[[ $GATEWAY == 1 ]] && say "# gateway: dotnet $(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.AspNetCore.App/ { v = $2 } END { print "aspnetcore " v }'), ${DOTNET_TUNING[*]:-no DOTNET_ tuning}; $MESH_DLL"
say "# nginx: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), 1 worker, upstream keepalive 64; backend: nginx return 200 \"hello\\n\""
say ""
row_header
measure direct
for ((p = 1; p <= PAIRS; p++)); do
  if [[ $GATEWAY == 1 ]]; then measure gateway; fi
  measure nginx
done
measure direct
say "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------------------
# Medians.
# ---------------------------------------------------------------------------------------------------------------
say ""
say "medians:"
say "$(printf '  %-8s %10s %9s %11s' target req/s p99_ms req/cpu_s)"
for kind in gateway nginx direct; do
  [[ $kind == gateway && $GATEWAY != 1 ]] && continue
  # shellcheck disable=SC2046
  say "$(printf '  %-8s %10s %9s %11s' "$kind" \
    "$(fmt "$(median $(column_of "$kind" 2))" '%.0f')" \
    "$(fmt "$(median $(column_of "$kind" 3))" '%.3f')" \
    "$(fmt "$(median $(column_of "$kind" 6))" '%.0f')")"
done

if [[ $GATEWAY == 1 ]]; then
  read -ra cpu_ratios <<<"$(pair_ratios gateway nginx 6 positive)"
  read -ra p99_ratios <<<"$(pair_ratios gateway nginx 3)"
  say "  per pair gateway/nginx, req/cpu_s: ${cpu_ratios[*]}"
  say "  per pair gateway/nginx, p99:       ${p99_ratios[*]}"
  say "  median ratio gateway/nginx: req per CPU-second $(fmt "$(median "${cpu_ratios[@]}")" '%.2f'), p99 $(fmt "$(median "${p99_ratios[@]}")" '%.2f')"
else
  say "  (gateway skipped: no gateway/nginx ratios)"
fi
say "target: per-CPU-second ratio >= 0.8 (aim 1.0), p99 ratio <= 1.5"
write_report
