#!/usr/bin/env bash
# Mesh's DNS server vs Knot DNS, under the same dnsperf load. Run with --help for what it does and prints.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/dns/run.sh [options]

Compares two DNS servers answering the same names under the same dnsperf load, on loopback only:

  mesh  Mesh's DNS server (the Release `mesh` app, `dotnet mesh.dll run`), pinned to core SERVER_CPU (0), with
        MESH__DNS__ADDRESS=127.0.0.1, MESH__DNS__PORT=<free port> and rate limiting off
        (MESH__DNS__RATELIMIT__RESPONSESPERSECOND=0). SERVICES services `bench-N` with INSTANCES instances each
        (addresses 10.x.y.z, all distinct, port 8080, tag v1, no checks: passing) are registered through the
        Consul API (PUT /v1/agent/service/register).
  knot  knotd (Knot DNS), pinned to core SERVER_CPU (0): udp-workers 1, tcp-workers 1, background-workers 1,
        no rate limiting, serving zone `mesh.` generated from the same address list: SOA, NS, and per service
        `bench-N.service.mesh. A` (its instances' addresses), `_bench-N._tcp.service.mesh. SRV 1 1 8080
        <hex>.addr.mesh.` (one per instance) and the targets' A records (Consul-style `0a000001.addr.mesh.` ->
        10.0.0.1), TTL 0.

Load: `taskset -c LOAD_CPU dnsperf -s 127.0.0.1 -p PORT -d queries.txt -l DURATION -c CLIENTS -q OUTSTANDING
-t TIMEOUT [-Q MAX_QPS]` over UDP, without EDNS, on its own core. queries.txt (the same file for both servers)
has QUERIES lines, each for a random service (fixed seed): `bench-N.service.mesh A`, or with probability
SRV_PERCENT % `_bench-N._tcp.service.mesh SRV`; dnsperf loops over it for the whole run. Each server gets one
WARMUP-second dnsperf run (Mesh: MESH_WARMUP seconds; not reported) before its first measured run. Order:
PAIRS pairs of (mesh, knot), alternating, since the machine is noisy.

For every measured run it prints dnsperf's queries per second (raw: completed / run time), the queries completed
and lost, the NOERROR responses, the server's CPU seconds over the run (utime+stime from /proc/<pid>/stat,
fields 14 and 15, / CLK_TCK, sampled just before and after dnsperf), answers per CPU-second (NOERROR responses /
the server's CPU seconds: the fair figure, since dnsperf on one core can cap both servers' raw rate), dnsperf's
average latency (ms) and response size (bytes), and how busy the load core was (from /proc/stat; near 100 %
means dnsperf, not the server, set the raw rate). Any response code other than NOERROR, or lost queries, is
flagged. Then the medians per server, the per-pair ratios mesh/knot and their medians (answers per CPU-second,
raw queries/s), and the target line:
  target: per-CPU-second ratio >= 0.5 (aim 1.0)

Before measuring, both servers are asked (dig) for the last service's A and SRV records and any difference in
the answers is printed as a warning (SRV targets are compared by count and port only).

Options (each also settable by the environment variable in brackets):
  --pairs N          mesh/knot pairs                                        [PAIRS, default 5]
  --duration S       seconds per measured run                               [DURATION, default 10]
  --services N       services bench-0 .. bench-(N-1)                         [SERVICES, default 100]
  --instances N      instances per service (with many, answers exceed 512   [INSTANCES, default 3]
                     bytes and are truncated: both servers then answer TC)
  --queries N        lines in the query file                                [QUERIES, default 100000]
  --srv-percent P    share of SRV queries, 0-100                            [SRV_PERCENT, default 10]
  --clients N        dnsperf clients (-c; each its own source port)         [CLIENTS, default 4]
  --outstanding N    dnsperf's most queries in flight (-q)                  [OUTSTANDING, default 100]
  --max-qps N        dnsperf's rate limit (-Q), 0 for none                  [MAX_QPS, default 0]
                     (a fixed rate both servers can sustain compares their CPU at equal load)
  --timeout S        dnsperf's query timeout in seconds (-t)                [TIMEOUT, default 2]
  --warmup S         seconds of knot's warm-up run, 0 for none              [WARMUP, default 3]
  --mesh-warmup S    Mesh's warm-up instead (JIT: with DOTNET_ReadyToRun=0  [MESH_WARMUP, default 20]
                     everything starts as tier-0 code, and tier-1 compiles
                     compete with the queries on the one core)
  --out FILE         also write the report (tables and medians) to FILE     [OUT]
  --no-mesh          skip Mesh: knot only, no ratios                        [MESH=0]
  --no-build         do not run `dotnet build -c Release src/Host` first    [BUILD=0]
  --mesh-dll PATH    the mesh.dll to run              [MESH_DLL, default src/Host/bin/Release/net10.0/mesh.dll]
  --server-cpu N     core for the servers                                   [SERVER_CPU, default 0]
  --load-cpu N       core for dnsperf                                       [LOAD_CPU, default 1]
  -h, --help         this text

Mesh runs with MESH__DATADIR=<temp dir>, MESH__API__URL / MESH__GATEWAY__URL on free loopback ports,
Logging__LogLevel__Default=Warning, and DOTNET_TieredPGO=1 DOTNET_ReadyToRun=0
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1; set any of these three in the environment to override it, or to
the empty string to leave it unset. Other DOTNET_* and MESH__DNS__* variables in the environment pass through
(e.g. DOTNET_gcServer, MESH__DNS__TTL, MESH__DNS__UDPWORKERS; pinned to one core, .NET's ProcessorCount is 1, so
Mesh's default of one UDP worker per core gives one, as knot's udp-workers 1).

If Mesh's DNS does not answer `bench-<last>.service.mesh A` with INSTANCES addresses within MESH_WAIT seconds
(default 60), the script says so and exits 3. It exits 2 on bad usage or a failed build, 1 on other failures.
As root on Debian it installs dnsperf, knot and bind9-dnsutils (dig) when missing. Every process it starts is
stopped on exit; its temp dir is removed (KEEP_TMP=1 keeps it, with the zone, the query file, the knot and Mesh
logs and dnsperf's outputs).
EOF
}

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"
# shellcheck disable=SC2034 # read by free_port (common.sh)
FREE_PORT_UDP=1 # knot and Mesh's DNS listen on UDP as well as TCP

PAIRS=${PAIRS:-5}
DURATION=${DURATION:-10}
SERVICES=${SERVICES:-100}
INSTANCES=${INSTANCES:-3}
QUERIES=${QUERIES:-100000}
SRV_PERCENT=${SRV_PERCENT:-10}
CLIENTS=${CLIENTS:-4}
OUTSTANDING=${OUTSTANDING:-100}
MAX_QPS=${MAX_QPS:-0}
TIMEOUT=${TIMEOUT:-2}
WARMUP=${WARMUP:-3}
MESH_WARMUP=${MESH_WARMUP:-20}
OUT=${OUT:-}
MESH=${MESH:-1}
BUILD=${BUILD:-1}
MESH_DLL=${MESH_DLL:-$ROOT/src/Host/bin/Release/net10.0/mesh.dll}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
MESH_WAIT=${MESH_WAIT:-60}
KNOT_WAIT=${KNOT_WAIT:-30}
KEEP_TMP=${KEEP_TMP:-0}

while [[ $# -gt 0 ]]; do
  case $1 in
    --pairs) need_value "$@"; PAIRS=$2; shift 2 ;;
    --duration) need_value "$@"; DURATION=$2; shift 2 ;;
    --services) need_value "$@"; SERVICES=$2; shift 2 ;;
    --instances) need_value "$@"; INSTANCES=$2; shift 2 ;;
    --queries) need_value "$@"; QUERIES=$2; shift 2 ;;
    --srv-percent) need_value "$@"; SRV_PERCENT=$2; shift 2 ;;
    --clients) need_value "$@"; CLIENTS=$2; shift 2 ;;
    --outstanding) need_value "$@"; OUTSTANDING=$2; shift 2 ;;
    --max-qps) need_value "$@"; MAX_QPS=$2; shift 2 ;;
    --timeout) need_value "$@"; TIMEOUT=$2; shift 2 ;;
    --warmup) need_value "$@"; WARMUP=$2; shift 2 ;;
    --mesh-warmup) need_value "$@"; MESH_WARMUP=$2; shift 2 ;;
    --out) need_value "$@"; OUT=$2; shift 2 ;;
    --no-mesh) MESH=0; shift ;;
    --no-build) BUILD=0; shift ;;
    --mesh-dll) need_value "$@"; MESH_DLL=$2; shift 2 ;;
    --server-cpu) need_value "$@"; SERVER_CPU=$2; shift 2 ;;
    --load-cpu) need_value "$@"; LOAD_CPU=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die 2 "unknown argument '$1' (see --help)" ;;
  esac
done
whole_numbers PAIRS DURATION SERVICES INSTANCES QUERIES SRV_PERCENT CLIENTS OUTSTANDING MAX_QPS TIMEOUT WARMUP \
  MESH_WARMUP SERVER_CPU LOAD_CPU MESH_WAIT KNOT_WAIT
((PAIRS >= 1 && DURATION >= 1 && SERVICES >= 1 && INSTANCES >= 1 && QUERIES >= 1 && CLIENTS >= 1 \
  && OUTSTANDING >= 1 && TIMEOUT >= 1)) \
  || die 2 "PAIRS, DURATION, SERVICES, INSTANCES, QUERIES, CLIENTS, OUTSTANDING and TIMEOUT must be at least 1"
((SRV_PERCENT <= 100)) || die 2 "SRV_PERCENT must be 0-100"
((SERVICES * INSTANCES < 16777215)) || die 2 "SERVICES x INSTANCES must stay below 2^24 (addresses are 10.x.y.z)"
[[ $MESH == 0 || $MESH == 1 ]] || die 2 "MESH must be 0 or 1"

# ---------------------------------------------------------------------------------------------------------------
# Packages (as scripts/test.sh: only when missing, only as root or with password-less sudo).
# ---------------------------------------------------------------------------------------------------------------
# shellcheck source=scripts/lib/install-packages.sh
source "$ROOT/scripts/lib/install-packages.sh"
command -v dpkg-query >/dev/null && install_packages dnsperf knot bind9-dnsutils
need_tools dnsperf knotd knotc dig taskset curl getconf ss awk
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
KNOTC=$(command -v knotc || echo /usr/sbin/knotc)
check_cores SERVER_CPU LOAD_CPU "servers and dnsperf"
make_tmp mesh-dns-bench

# "busy total" jiffies of one core from /proc/stat (busy: user nice system irq softirq steal; total adds idle iowait).
core_jiffies() {
  awk -v c="cpu$1" '$1 == c { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat
}

# dig's answer (+short, sorted) from a server: port name type
ask() { { dig @127.0.0.1 -p "$1" +short +time=1 +tries=1 "$2" "$3" 2>/dev/null || true; } | { grep -v '^;' || true; } | sort; }

# ---------------------------------------------------------------------------------------------------------------
# The data: one line per instance (service, instance, address), from which the zone, Mesh's registrations and
# the query file are made.
# ---------------------------------------------------------------------------------------------------------------
LAST=$((SERVICES - 1))
awk -v s="$SERVICES" -v n="$INSTANCES" 'BEGIN {
  k = 0
  for (i = 0; i < s; i++) for (j = 1; j <= n; j++) {
    k++
    printf "%d %d 10.%d.%d.%d\n", i, j, int(k / 65536) % 256, int(k / 256) % 256, k % 256
  }
}' >"$TMP/instances.txt"

mkdir -p "$TMP/knot/zones" "$TMP/knot/db" "$TMP/knot/run"
awk 'BEGIN {
  print "$ORIGIN mesh."
  print "$TTL 0"
  print "@ 3600 IN SOA ns.mesh. hostmaster.mesh. 1 3600 600 86400 0"
  print "@ 3600 IN NS ns.mesh."
  print "ns 3600 IN A 127.0.0.1"
}
{
  split($3, o, ".")
  target = sprintf("%02x%02x%02x%02x.addr", o[1], o[2], o[3], o[4])
  printf "bench-%d.service IN A %s\n", $1, $3
  printf "_bench-%d._tcp.service IN SRV 1 1 8080 %s\n", $1, target
  printf "%s IN A %s\n", target, $3
}' "$TMP/instances.txt" >"$TMP/knot/zones/mesh.zone"

awk -v q="$QUERIES" -v s="$SERVICES" -v srv="$SRV_PERCENT" 'BEGIN {
  srand(20240601)
  for (i = 0; i < q; i++) {
    n = int(rand() * s)
    if (rand() * 100 < srv) printf "_bench-%d._tcp.service.mesh SRV\n", n
    else printf "bench-%d.service.mesh A\n", n
  }
}' >"$TMP/queries.txt"
SRV_LINES=$(grep -c ' SRV$' "$TMP/queries.txt" || true)
EXPECTED_A=$(awk -v l="$LAST" '$1 == l { print $3 }' "$TMP/instances.txt" | sort)

# ---------------------------------------------------------------------------------------------------------------
# knot.
# ---------------------------------------------------------------------------------------------------------------
free_port KNOT_PORT
cat >"$TMP/knot/knot.conf" <<EOF
server:
    rundir: "$TMP/knot/run"
    listen: 127.0.0.1@$KNOT_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1

database:
    storage: "$TMP/knot/db"

log:
  - target: stderr
    any: warning

template:
  - id: default
    storage: "$TMP/knot/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off

zone:
  - domain: mesh
EOF
"$KNOTC" -c "$TMP/knot/knot.conf" conf-check >"$TMP/knot/check.log" 2>&1 \
  || die 1 "knotc conf-check failed: $(cat "$TMP/knot/check.log")"
log "knot: knotd on 127.0.0.1:$KNOT_PORT, core $SERVER_CPU"
taskset -c "$SERVER_CPU" "$KNOTD" -c "$TMP/knot/knot.conf" >"$TMP/knot/knotd.log" 2>&1 &
KNOT_PID=$!
PIDS+=("$KNOT_PID")
ready=0
deadline=$((SECONDS + KNOT_WAIT))
while ((SECONDS < deadline)); do
  kill -0 "$KNOT_PID" 2>/dev/null || die 1 "knotd exited: $(tail -20 "$TMP/knot/knotd.log")"
  if [[ $(ask "$KNOT_PORT" "bench-$LAST.service.mesh" A) == "$EXPECTED_A" ]]; then ready=1; break; fi
  sleep 0.2
done
((ready)) || die 1 "knotd on 127.0.0.1:$KNOT_PORT did not answer bench-$LAST.service.mesh within ${KNOT_WAIT}s: \
$(tail -20 "$TMP/knot/knotd.log")"
log "knot answers"

# ---------------------------------------------------------------------------------------------------------------
# Mesh.
# ---------------------------------------------------------------------------------------------------------------
MESH_PORT=
if [[ $MESH == 1 ]]; then
  build_mesh
  free_port API_PORT
  free_port GATEWAY_PORT
  free_port MESH_PORT
  log "mesh: DNS on 127.0.0.1:$MESH_PORT (API 127.0.0.1:$API_PORT), core $SERVER_CPU, ${DOTNET_TUNING[*]:-no DOTNET_ tuning}"
  start_mesh "$SERVER_CPU" \
    MESH__DNS__ADDRESS=127.0.0.1 \
    MESH__DNS__PORT="$MESH_PORT" \
    MESH__DNS__RATELIMIT__RESPONSESPERSECOND=0

  # One curl for all registrations (one connection, kept alive): a config section per instance.
  API="http://127.0.0.1:$API_PORT"
  awk -v url="$API/v1/agent/service/register" '{
    if (NR > 1) print "next"
    printf "url = \"%s\"\nrequest = \"PUT\"\nheader = \"Content-Type: application/json\"\n", url
    printf "data = \"{\\\"ID\\\":\\\"bench-%d-%d\\\",\\\"Name\\\":\\\"bench-%d\\\",\\\"Address\\\":\\\"%s\\\",\\\"Port\\\":8080,\\\"Tags\\\":[\\\"v1\\\"]}\"\n", $1, $2, $1, $3
    printf "output = \"/dev/null\"\nwrite-out = \"%%{http_code}\\n\"\n"
  }' "$TMP/instances.txt" >"$TMP/mesh/register.curl"
  wait_mesh "$MESH_WAIT" "mesh exited before its API answered" curl -sf --max-time 2 -o /dev/null "$API/v1/agent/services" \
    || mesh_failed 3 "mesh's API on 127.0.0.1:$API_PORT did not answer within ${MESH_WAIT}s"
  log "registering $((SERVICES * INSTANCES)) instances ($SERVICES services x $INSTANCES)"
  curl -s --max-time $((60 + SERVICES * INSTANCES / 50)) -K "$TMP/mesh/register.curl" >"$TMP/mesh/register.codes" \
    2>"$TMP/mesh/register.err" || true
  bad=$(grep -cv '^200$' "$TMP/mesh/register.codes" || true)
  ok=$(grep -c '^200$' "$TMP/mesh/register.codes" || true)
  ((ok == SERVICES * INSTANCES && bad == 0)) \
    || mesh_failed 3 "registration failed: $ok of $((SERVICES * INSTANCES)) PUTs answered 200; other answers: \
$(grep -v '^200$' "$TMP/mesh/register.codes" | sort | uniq -c | head -5 | tr '\n' ' ')$(head -3 "$TMP/mesh/register.err")"
  log "registered; waiting for Mesh's DNS to answer bench-$LAST.service.mesh with $INSTANCES addresses"
  GOT=''
  mesh_answers() { GOT=$(ask "$MESH_PORT" "bench-$LAST.service.mesh" A); [[ $GOT == "$EXPECTED_A" ]]; }
  if ! wait_mesh "$MESH_WAIT" "mesh exited before its DNS answered" mesh_answers; then
    if [[ -z $GOT ]]; then
      status=$(dig @127.0.0.1 -p "$MESH_PORT" +time=1 +tries=1 "bench-$LAST.service.mesh" A 2>&1 | grep -E 'status:|timed out|refused' | head -1 | sed 's/^;; *//' || true)
      why="no addresses (dig: ${status:-no answer}; is Mesh:Dns:Port wired up in this build?)"
    else
      why="its last answer was: $(tr '\n' ' ' <<<"$GOT")"
    fi
    mesh_failed 3 "Mesh's DNS on 127.0.0.1:$MESH_PORT did not answer bench-$LAST.service.mesh A with the $INSTANCES \
registered addresses within ${MESH_WAIT}s; $why. (--no-mesh runs knot only)"
  fi
  log "mesh answers"
fi

# ---------------------------------------------------------------------------------------------------------------
# Runs.
# ---------------------------------------------------------------------------------------------------------------
port_of() { case $1 in mesh) echo "$MESH_PORT" ;; knot) echo "$KNOT_PORT" ;; esac; }
pid_of() { case $1 in mesh) echo "$MESH_PID" ;; knot) echo "$KNOT_PID" ;; esac; }

perf_run() { # seconds port output-file
  local qps=()
  ((MAX_QPS > 0)) && qps=(-Q "$MAX_QPS")
  run_load "$3" taskset -c "$LOAD_CPU" dnsperf -s 127.0.0.1 -p "$2" -d "$TMP/queries.txt" -l "$1" -c "$CLIENTS" \
    -q "$OUTSTANDING" -t "$TIMEOUT" "${qps[@]}"
}

declare -A WARMED=()
RESULTS=() # "n server qps completed lost noerror cpu_s ans_per_cpu lat_ms resp_bytes load_pct"

row_header() {
  say "$(printf '%-4s %-6s %9s %10s %7s %10s %7s %11s %7s %6s %6s' \
    run server queries/s completed lost noerror cpu_s answers/cpu lat_ms resp_B load%)"
}

measure() { # server
  local server=$1 port pid c0 c1 l0 l1 out warmup=$WARMUP
  port=$(port_of "$server")
  pid=$(pid_of "$server")
  if [[ $server == mesh ]]; then warmup=$MESH_WARMUP; fi
  if [[ -z ${WARMED[$server]:-} ]] && ((warmup > 0)); then
    log "$server: warm-up ${warmup}s"
    perf_run "$warmup" "$port" "$TMP/warmup-$server.txt" \
      || die 1 "dnsperf warm-up against $server failed: $(tail -20 "$TMP/warmup-$server.txt")"
  fi
  WARMED[$server]=1
  kill -0 "$pid" 2>/dev/null || die 1 "$server (pid $pid) is no longer running"
  ((++RUN))
  log "run $RUN: $server, ${DURATION}s"
  read -r l0 _ <<<"$(core_jiffies "$LOAD_CPU")"
  local t0=$EPOCHREALTIME
  c0=$(cpu_ticks "$pid")
  perf_run "$DURATION" "$port" "$TMP/run.txt" || die 1 "dnsperf against $server failed: $(tail -20 "$TMP/run.txt")"
  c1=$(cpu_ticks "$pid")
  local t1=$EPOCHREALTIME
  read -r l1 _ <<<"$(core_jiffies "$LOAD_CPU")"
  out=$(<"$TMP/run.txt")
  printf '%s\n' "--- run $RUN $server ---" "$out" >>"$TMP/dnsperf.txt"

  local qps completed lost codes noerror other lat resp cpu apc load
  qps=$(awk '/Queries per second:/ { print $4 }' <<<"$out")
  completed=$(awk '/Queries completed:/ { print $3 }' <<<"$out")
  lost=$(awk '/Queries lost:/ { print $3 }' <<<"$out")
  codes=$(sed -n 's/^ *Response codes: *//p' <<<"$out")
  lat=$(awk '/Average Latency \(s\):/ { printf "%.3f", $4 * 1000 }' <<<"$out")
  resp=$(awk '/Average packet size:/ { gsub(/,/, ""); for (i = 1; i < NF; i++) if ($i == "response") print $(i + 1) }' <<<"$out")
  [[ -n $qps && -n $completed && -n $lost ]] || die 1 "could not read dnsperf's output for $server: $out"
  # "NOERROR 1234 (99.00%), SERVFAIL 12 (1.00%)" -> NOERROR count, and the rest as "SERVFAIL:12"
  noerror=$(awk -v RS=', ' '$1 == "NOERROR" { print $2 }' <<<"$codes")
  other=$(awk -v RS=', ' '$1 != "" && $1 != "NOERROR" { printf "%s%s:%s", sep, $1, $2; sep = " " }' <<<"$codes")
  noerror=${noerror:-0}
  cpu=$(cpu_seconds $((c1 - c0)))
  apc=$(per_cpu_second "$noerror" $((c1 - c0)))
  load=$(awk -v j=$((l1 - l0)) -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f", 100 * j / hz / (t1 - t0) }')
  say "$(printf '%-4s %-6s %9.0f %10s %7s %10s %7s %11s %7s %6s %6s' \
    "$RUN" "$server" "$qps" "$completed" "$lost" "$noerror" "$cpu" "$apc" "${lat:--}" "${resp:--}" "$load")"
  [[ -z $other ]] || say "     warning: $server run $RUN had responses other than NOERROR: $other"
  ((lost * 1000 <= completed)) || say "     warning: $server run $RUN lost $lost queries (over 0.1 %); its raw queries/s is suspect"
  RESULTS+=("$RUN $server $qps $completed $lost $noerror $cpu $apc ${lat:-nan} ${resp:-nan} $load")
}

# Compare the answers for the last service (A set; SRV count and ports) between the servers.
compare_answers() {
  local ka ks ma ms
  ka=$(ask "$KNOT_PORT" "bench-$LAST.service.mesh" A)
  ma=$(ask "$MESH_PORT" "bench-$LAST.service.mesh" A)
  [[ $ka == "$ma" ]] || say "# warning: A answers differ: knot [$(tr '\n' ' ' <<<"$ka")] mesh [$(tr '\n' ' ' <<<"$ma")]"
  ks=$(ask "$KNOT_PORT" "_bench-$LAST._tcp.service.mesh" SRV)
  ms=$(ask "$MESH_PORT" "_bench-$LAST._tcp.service.mesh" SRV)
  [[ $(awk '{ print $3 }' <<<"$ks" | sort) == $(awk '{ print $3 }' <<<"$ms" | sort) ]] \
    || say "# warning: SRV answers differ: knot [$(tr '\n' ' ' <<<"$ks")] mesh [$(tr '\n' ' ' <<<"$ms")]"
  say "# SRV sample: knot $(head -1 <<<"$ks"); mesh $(head -1 <<<"$ms")"
}

RUN=0
say "# Mesh DNS vs knot — $(date -u '+%Y-%m-%d %H:%M:%SZ'), $(hostname), $CPUS cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "# dnsperf $(dnsperf -h 2>&1 | awk '/^Version/ { print $2 }') -c$CLIENTS -q$OUTSTANDING -t$TIMEOUT$( ((MAX_QPS > 0)) && echo " -Q$MAX_QPS") -l$DURATION (core $LOAD_CPU), \
servers on core $SERVER_CPU; warm-up ${WARMUP}s (mesh ${MESH_WARMUP}s); pairs $PAIRS"
say "# $SERVICES services x $INSTANCES instances; $QUERIES queries, $SRV_LINES SRV ($SRV_PERCENT %), the rest A"
[[ $MESH == 1 ]] && say "# mesh: dotnet $(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }'), ${DOTNET_TUNING[*]:-no DOTNET_ tuning}; $MESH_DLL"
say "# knot: $("$KNOTD" -V 2>&1 | awk '{ print $NF }'), udp-workers 1, tcp-workers 1, background-workers 1"
[[ $MESH == 1 ]] && compare_answers
say ""
row_header
for ((p = 1; p <= PAIRS; p++)); do
  if [[ $MESH == 1 ]]; then measure mesh; fi
  measure knot
done
say "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------------------
# Medians.
# ---------------------------------------------------------------------------------------------------------------
say ""
say "medians:"
say "$(printf '  %-6s %9s %7s %11s %7s %6s' server queries/s cpu_s answers/cpu lat_ms load%)"
for server in mesh knot; do
  [[ $server == mesh && $MESH != 1 ]] && continue
  # shellcheck disable=SC2046
  say "$(printf '  %-6s %9s %7s %11s %7s %6s' "$server" \
    "$(fmt "$(median $(column_of "$server" 2))" '%.0f')" \
    "$(fmt "$(median $(column_of "$server" 6))" '%.2f')" \
    "$(fmt "$(median $(column_of "$server" 7))" '%.0f')" \
    "$(fmt "$(median $(column_of "$server" 8))" '%.3f')" \
    "$(fmt "$(median $(column_of "$server" 10))" '%.0f')")"
done

if [[ $MESH == 1 ]]; then
  read -ra cpu_ratios <<<"$(pair_ratios mesh knot 7 positive)"
  read -ra qps_ratios <<<"$(pair_ratios mesh knot 2)"
  say "  per pair mesh/knot, answers/cpu: ${cpu_ratios[*]}"
  say "  per pair mesh/knot, queries/s:   ${qps_ratios[*]}"
  say "  median ratio mesh/knot: answers per CPU-second $(fmt "$(median "${cpu_ratios[@]}")" '%.2f'), raw queries/s $(fmt "$(median "${qps_ratios[@]}")" '%.2f')"
else
  say "  (mesh skipped: no mesh/knot ratios)"
fi
say "target: per-CPU-second ratio >= 0.5 (aim 1.0)"
write_report
