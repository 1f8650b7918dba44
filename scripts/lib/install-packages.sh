# Sourced by scripts/test.sh and bench scripts: install_packages PKG... installs the Debian packages that are
# missing, and only when we may (root, or password-less sudo); otherwise it says what is missing and goes on.
# Needs a `log` function from the caller.
install_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      log "missing packages: ${missing[*]}; not root, so not installing them (what needs them will fail)"
      return 0
    fi
  fi
  log "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || log "apt-get failed; what needs ${missing[*]} will fail"
}
