# shellcheck shell=bash
# Sourced by bench/dns/run.sh and bench/gateway/run.sh (after they cd to the repo root and set ROOT): what both
# benchmarks do alike.
#   log, die, need_value, whole_numbers, need_tools   messages, usage checks, required tools
#   check_cores VAR VAR WHO                           the cores exist; sets CPUS and CLK_TCK
#   make_tmp PREFIX                                   TMP (and REPORT in it); on exit every pid in PIDS is stopped
#   free_port VAR                                     a free loopback port (TCP; also UDP when FREE_PORT_UDP=1)
#   cpu_ticks, cpu_seconds, per_cpu_second            a process's CPU time from /proc/<pid>/stat
#   build_mesh, start_mesh, wait_mesh, mesh_failed    the Release mesh app: build, start pinned, wait, fail with its log
#   run_load FILE CMD...                              the load generator, stoppable by INT/TERM
#   say, write_report, median, column_of, fmt, ratio, pair_ratios   the report and its medians and ratios
# It expects PAIRS, BUILD, MESH_DLL, KEEP_TMP, OUT and RESULTS (rows "run name figures...") from the caller.

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '==> %s\n' "$*" >&2; }
die() { local code=$1; shift; printf 'run.sh: %s\n' "$*" >&2; exit "$code"; }

need_value() { [[ $# -ge 2 && -n $2 ]] || die 2 "$1 needs a value (see --help)"; }

whole_numbers() { # VAR...: each must hold a whole number
  local v
  for v in "$@"; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die 2 "$v must be a whole number, not '${!v}'"
  done
}

need_tools() { # tool...: each must be on PATH or in /usr/sbin (Debian's nginx and knot live there)
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || die 1 "$tool is not installed"
  done
}

check_cores() { # SERVER_VAR LOAD_VAR who-shares: both cores must exist; one core for both is allowed, with a warning
  CPUS=$(nproc)
  ((${!1} < CPUS && ${!2} < CPUS)) || die 2 "this machine has $CPUS cores; $1 and $2 must be below that"
  ((${!1} != ${!2})) || log "warning: $1 = $2 = ${!1}; $3 share one core"
  CLK_TCK=$(getconf CLK_TCK)
}

# ---------------------------------------------------------------------------------------------------------------
# Processes: everything started goes into PIDS; the trap stops them (TERM, then KILL after 5 s) and removes TMP.
# ---------------------------------------------------------------------------------------------------------------
PIDS=()
LOAD_PID= # the running load generator (run_load), stopped as well
cleanup() {
  local rc=$? pid i
  trap - EXIT INT TERM
  if [[ -n ${LOAD_PID:-} ]]; then PIDS+=("$LOAD_PID"); fi
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}

make_tmp() { # prefix: sets TMP (a new temp dir) and REPORT (empty, in it) and the traps
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  REPORT="$TMP/report.txt"
  : >"$REPORT"
}

USED_PORTS=" "
FREE_PORT_UDP=0 # 1: the port must be free for UDP too (DNS listens on both)
free_port() { # VAR: sets VAR to a loopback port nothing listens on (and that this script has not handed out)
  local p flags=-Hltn
  ((FREE_PORT_UDP)) && flags=-Hltun
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if [[ -z $(ss "$flags" "sport = :$p" 2>/dev/null) ]]; then
      USED_PORTS+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  die 1 "no free loopback port found"
}

# CPU ticks (utime + stime, fields 14 and 15 of /proc/<pid>/stat: all the process's threads) summed over the pids.
cpu_ticks() {
  local total=0 pid stat rest f
  for pid in "$@"; do
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
    rest=${stat##*) }          # fields from 3 on; the comm field (2) may hold spaces
    read -ra f <<<"$rest"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}
cpu_seconds() { awk -v t="$1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }'; } # ticks
per_cpu_second() { # count ticks -> count per CPU-second ("nan" when no CPU time was used)
  awk -v r="$1" -v t="$2" -v hz="$CLK_TCK" 'BEGIN { if (t > 0) printf "%.0f", r / (t / hz); else print "nan" }'
}

# ---------------------------------------------------------------------------------------------------------------
# Mesh: the Release app, with the JIT settings the --help texts describe.
# ---------------------------------------------------------------------------------------------------------------
build_mesh() { # dotnet build -c Release src/Host unless BUILD=0 (exit 2 when it fails); MESH_DLL must then exist
  if [[ $BUILD == 1 ]]; then
    log "dotnet build -c Release src/Host"
    dotnet build -c Release -nologo -v q -clp:ErrorsOnly "$ROOT/src/Host" >"$TMP/build.log" 2>&1 \
      || { tail -30 "$TMP/build.log" >&2; die 2 "dotnet build -c Release src/Host failed (log above)"; }
  fi
  [[ -f $MESH_DLL ]] || die 2 "$MESH_DLL does not exist (build src/Host in Release, or pass --mesh-dll)"
}

# DOTNET_TUNING: the three settings as NAME=VALUE, each the environment's value if set (empty: left out), else ours.
TUNING_VARS=(DOTNET_TieredPGO DOTNET_ReadyToRun DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS)
declare -A TUNING_DEFAULTS=([DOTNET_TieredPGO]=1 [DOTNET_ReadyToRun]=0 [DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS]=1)
DOTNET_TUNING=()
for v in "${TUNING_VARS[@]}"; do
  val=${!v-${TUNING_DEFAULTS[$v]}}
  if [[ -n $val ]]; then DOTNET_TUNING+=("$v=$val"); fi
done
unset v val

MESH_PID=
start_mesh() { # cpu [NAME=VALUE...]: starts mesh pinned to the core, its API on API_PORT and gateway on GATEWAY_PORT,
  # data and log in $TMP/mesh, with the extra variables; sets MESH_PID
  local cpu=$1; shift
  mkdir -p "$TMP/mesh/data"
  (
    cd "$TMP/mesh" || exit
    for v in "${TUNING_VARS[@]}"; do unset "$v"; done
    exec env "${DOTNET_TUNING[@]}" \
      MESH__DATADIR="$TMP/mesh/data" \
      MESH__API__URL="http://127.0.0.1:$API_PORT" \
      MESH__GATEWAY__URL="http://127.0.0.1:$GATEWAY_PORT" \
      "$@" \
      Logging__LogLevel__Default=Warning \
      taskset -c "$cpu" dotnet "$MESH_DLL" run
  ) >"$TMP/mesh/mesh.log" 2>&1 &
  MESH_PID=$!
  PIDS+=("$MESH_PID")
}

mesh_failed() { # code message: says so, with the end of mesh's output, and exits
  local code=$1; shift
  printf 'run.sh: %s\n' "$*" >&2
  if [[ -s $TMP/mesh/mesh.log ]]; then
    echo "--- last lines of mesh's output ---" >&2
    tail -20 "$TMP/mesh/mesh.log" >&2
  fi
  exit "$code"
}

wait_mesh() { # seconds message command...: runs the command every 0.2 s until it succeeds (0) or the seconds pass
  # (1); if mesh exits meanwhile, mesh_failed 3 with the message
  local deadline=$((SECONDS + $1)) gone=$2; shift 2
  while ((SECONDS < deadline)); do
    kill -0 "$MESH_PID" 2>/dev/null || mesh_failed 3 "$gone"
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------------------
# Runs and the report.
# ---------------------------------------------------------------------------------------------------------------
run_load() { # output-file command...: in the background and `wait` for it, so that INT/TERM stop the script (and it) at once
  "${@:2}" >"$1" 2>&1 &
  LOAD_PID=$!
  local rc=0
  wait "$LOAD_PID" || rc=$?
  LOAD_PID=
  return "$rc"
}

say() { printf '%s\n' "$*" | tee -a "$REPORT"; }

write_report() { # to OUT, when given
  [[ -n $OUT ]] || return 0
  mkdir -p "$(dirname "$OUT")"
  cp "$REPORT" "$OUT"
  log "report written to $OUT"
}

median() { # numbers... -> median (or "-" when none)
  printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
column_of() { # name field-index -> that field of the name's RESULTS rows
  local r f
  for r in "${RESULTS[@]}"; do
    read -ra f <<<"$r"
    [[ ${f[1]} == "$1" ]] && echo "${f[$2]}"
  done
  return 0
}
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "-" || v == "nan") print "-"; else printf f, v }'; }

ratio() { # a b [positive]: a / b to 4 places; "nan" unless b > 0 (and, with "positive", a > 0: a figure of 0 is no figure)
  awk -v a="$1" -v b="$2" -v p="${3:-}" 'BEGIN { if (b + 0 > 0 && (p == "" || a + 0 > 0)) printf "%.4f", a / b; else print "nan" }'
}
pair_ratios() { # a b field-index [positive]: the ratios a/b of the field, run by run, for the PAIRS pairs
  local i av bv out=()
  mapfile -t av < <(column_of "$1" "$3")
  mapfile -t bv < <(column_of "$2" "$3")
  for ((i = 0; i < PAIRS; i++)); do out+=("$(ratio "${av[i]:-}" "${bv[i]:-}" "${4:-}")"); done
  echo "${out[*]}"
}
