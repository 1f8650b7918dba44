#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: installs what the tests need, starts the services they use,
# builds, runs every test project (in parallel, one TRX file each) and ends with exactly one line:
#   N passed, N failed, N skipped
# Exits non-zero when the build fails, a test fails, or a test run aborts.
#
# Environment: TEST_RESULTS_DIR (default ./TestResults), CONFIGURATION (default Debug),
#              DOTNET_TEST_ARGS (extra arguments for dotnet test, e.g. a --filter).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
RESULTS_DIR=$(realpath -m "${TEST_RESULTS_DIR:-$ROOT/TestResults}")
# Tests keep artefacts beside the TRX files (tests/EndToEnd/UiTests: screenshots in $TEST_RESULTS_DIR/ui-screenshots).
export TEST_RESULTS_DIR=$RESULTS_DIR
CONFIGURATION=${CONFIGURATION:-Debug}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------------------------
# Packages. Add what a later issue's tests need (e.g. nginx, postgresql, rabbitmq-server); each is installed
# only when missing, and only when we may (root, or password-less sudo).
# ---------------------------------------------------------------------------------------------------------------
APT_PACKAGES=(
  python3-consul   # python-consul, a real Consul client: tests/EndToEnd/ConsulClientCompatibilityTests
  docker.io        # dockerd + CLI: the Docker source tests start their own private engine (tests/Common/DockerEngine.cs)
  busybox-static   # a static busybox, imported as the tests' container image (httpd, sh, sleep)
  nginx-light      # nginx: tests/Nginx start their own nginx master per test (-p <tempdir>) and render into it
  bind9-dnsutils   # dig: tests/EndToEnd/DnsTests ask the real mesh process's DNS server with it
  chromium         # headless Chromium: tests/EndToEnd/UiTests drive the web UI in it through Playwright (no browser download)
  postgresql       # initdb + postgres: tests/Registry/Store/Postgres start their own private server (tests/Common/PostgresServer.cs); nothing to start here
  rabbitmq-server  # RabbitMQ + Erlang: tests/Bus start their own private node (tests/Common/RabbitMqServer.cs); nothing to start here
  docker-compose   # docker-compose config (1.29, with python3-yaml): tests/EndToEnd/ComposeFileTests check docker-compose.yml; nothing is started
)

# shellcheck source=scripts/lib/install-packages.sh
source "$ROOT/scripts/lib/install-packages.sh"

# ---------------------------------------------------------------------------------------------------------------
# Services. start_service NAME STOP-COMMAND START-COMMAND... runs a service for the duration of the tests; the
# trap stops every started service, in reverse order, however the script ends. Wait for readiness with
# wait_until "what" COMMAND... (polls up to 60 s). Nothing is needed yet.
# ---------------------------------------------------------------------------------------------------------------
SERVICE_NAMES=()
SERVICE_STOPS=()

start_service() {
  local name=$1 stop=$2
  shift 2
  log "starting $name"
  if "$@"; then
    SERVICE_NAMES+=("$name")
    SERVICE_STOPS+=("$stop")
  else
    log "could not start $name"
  fi
}

stop_services() {
  local i
  for ((i = ${#SERVICE_NAMES[@]} - 1; i >= 0; i--)); do
    log "stopping ${SERVICE_NAMES[i]}"
    bash -c "${SERVICE_STOPS[i]}" >/dev/null 2>&1 || log "stopping ${SERVICE_NAMES[i]} failed"
  done
}
trap stop_services EXIT

wait_until() {
  local what=$1 i
  shift
  for ((i = 0; i < 600; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log "gave up waiting for $what"
  return 1
}

# ---------------------------------------------------------------------------------------------------------------
# Summary: every test result in every TRX file, summed.
# ---------------------------------------------------------------------------------------------------------------
summarize() {
  local passed=0 failed=0 skipped=0 outcome
  shopt -s nullglob
  local files=("$RESULTS_DIR"/*.trx)
  if ((${#files[@]} > 0)); then
    while read -r outcome; do
      case $outcome in
        Passed) passed=$((passed + 1)) ;;
        NotExecuted | Inconclusive | Pending | Disconnected | Warning) skipped=$((skipped + 1)) ;;
        *) failed=$((failed + 1)) ;; # Failed, Error, Timeout, Aborted
      esac
    done < <(grep -ho '<UnitTestResult [^>]*' "${files[@]}" | grep -o ' outcome="[A-Za-z]*"' | cut -d'"' -f2)
  fi
  SUMMARY_FAILED=$failed
  SUMMARY="$passed passed, $failed failed, $skipped skipped"
}

# ---------------------------------------------------------------------------------------------------------------
install_packages "${APT_PACKAGES[@]}"

if ! command -v dotnet >/dev/null; then
  log "dotnet not found: install the .NET 10 SDK (https://learn.microsoft.com/dotnet/core/install/linux-debian)"
  echo "0 passed, 0 failed, 0 skipped"
  exit 1
fi

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

status=0
log "building Mesh.sln ($CONFIGURATION)"
if dotnet build Mesh.sln -c "$CONFIGURATION" -nologo -clp:ErrorsOnly; then
  log "running tests"
  # MeshTrxPerProject (tests/Directory.Build.props) gives each project its own TRX file, named after it.
  # shellcheck disable=SC2086 # DOTNET_TEST_ARGS is a list of arguments
  dotnet test Mesh.sln -c "$CONFIGURATION" --no-build \
    -p:MeshTrxPerProject=true --results-directory "$RESULTS_DIR" \
    --blame-hang-timeout 10m --blame-hang-dump-type none \
    ${DOTNET_TEST_ARGS:-} || status=$?
else
  log "build failed"
  status=1
fi

summarize
if ((SUMMARY_FAILED > 0)) && ((status == 0)); then status=1; fi
echo "$SUMMARY"
exit "$status"
