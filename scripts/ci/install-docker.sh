#!/usr/bin/env bash
#
# Make a current Docker engine (28+, BuildKit, buildx) answer on this Debian 12 machine, offline
# except for Debian's package archive, and install the host tools the stand-ins and the test
# suite need (runc, debootstrap, shellcheck). Idempotent: when everything is already there and an
# engine answers, it prints one line and exits 0 in well under a second.
#
# How: bookworm's docker.io is 20.10, too old for `--call=check`. The sid
# packages docker.io, docker-cli, docker-buildx, containerd and tini-static are downloaded with
# `apt-get download` through a private apt state (a separate sources file and lists directory under
# $DOCKER_SID_STATE, so the system's own `apt-get update` never sees sid) and unpacked with
# `dpkg -x` into $DOCKER_SID_PREFIX. They are pinned by what is unpacked there: a later run reuses
# them even after sid moves on; DOCKER_SID_REFRESH=1 fetches sid's current ones again. The daemon
# runs with bookworm's runc first on PATH (sid's runc needs a newer glibc), without a bridge or
# iptables rules: builds and containers use `--network host`.
#
# Environment (all optional):
#   DOCKER_SID_PREFIX    where the sid packages are unpacked (default /opt/docker-sid)
#   DOCKER_SID_STATE     private apt state for the sid suite (default /var/lib/cloudrun-docker)
#   DOCKER_SID_REFRESH   1: download sid's current packages even if some are unpacked already
#   DOCKERD_LOG          daemon log file (default /var/log/dockerd-sid.log)
#   DOCKERD_WAIT         seconds to wait for a started daemon to answer (default 60)

set -Eeuo pipefail

readonly PREFIX=${DOCKER_SID_PREFIX:-/opt/docker-sid}
readonly STATE=${DOCKER_SID_STATE:-/var/lib/cloudrun-docker}
readonly DLOG=${DOCKERD_LOG:-/var/log/dockerd-sid.log}
readonly WAIT=${DOCKERD_WAIT:-60}
readonly SID_PACKAGES=(docker.io docker-cli docker-buildx containerd tini-static)
readonly HOST_PACKAGES=(runc debootstrap shellcheck ca-certificates)
readonly PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
readonly MIN_CLIENT_MAJOR=28
export DEBIAN_FRONTEND=noninteractive

STEP='start'
log() { printf 'install-docker: %s\n' "$*" >&2; }
die() {
  printf 'install-docker: error: %s\n' "$*" >&2
  exit 1
}
trap 'die "step \"$STEP\" failed (line $LINENO, exit $?)"' ERR

((EUID == 0)) || die 'run as root: it installs apt packages and starts dockerd'

engine_up() { timeout 10 docker info >/dev/null 2>&1; }
buildx_ok() { timeout 10 docker buildx version >/dev/null 2>&1; }
host_tools_ok() {
  local tool
  for tool in runc debootstrap shellcheck; do command -v "$tool" >/dev/null 2>&1 || return 1; done
  [[ -s /etc/ssl/certs/ca-certificates.crt ]]
}
client_major() { docker version --format '{{.Client.Version}}' 2>/dev/null | sed -n 's/^\([0-9][0-9]*\)\..*/\1/p'; }

summary() {
  local server client buildx containerd runc
  server=$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')
  client=$(docker version --format '{{.Client.Version}}' 2>/dev/null || echo '?')
  buildx=$(docker buildx version 2>/dev/null | awk '{print $2}' || echo '?')
  containerd=$(docker version --format '{{range .Server.Components}}{{if eq .Name "containerd"}}{{.Version}}{{end}}{{end}}' 2>/dev/null || echo '?')
  runc=$(docker version --format '{{range .Server.Components}}{{if eq .Name "runc"}}{{.Version}}{{end}}{{end}}' 2>/dev/null || echo '?')
  printf 'install-docker: Docker engine %s is up%s (client %s, buildx %s, containerd %s, runc %s)\n' \
    "$server" "$1" "$client" "$buildx" "$containerd" "$runc"
}

# The URI of the configured Debian archive: the deb822 stanza of debian.sources whose Suites
# include bookworm (not the security archive). Never another host.
debian_mirror() {
  local file=/etc/apt/sources.list.d/debian.sources uri
  [[ -r $file ]] || die "cannot read $file to find the Debian mirror"
  uri=$(awk -v RS='' '/(^|\n)Suites:[^\n]*[[:space:]]bookworm([[:space:]]|\n|$)/ {
          if (match($0, /(^|\n)URIs:[[:space:]]*[^[:space:]\n]+/)) {
            s = substr($0, RSTART, RLENGTH); sub(/^\n?URIs:[[:space:]]*/, "", s); print s; exit
          }
        }' "$file")
  [[ -n $uri ]] || die "no bookworm entry with URIs in $file"
  printf '%s\n' "$uri"
}

install_host_packages() {
  STEP='apt-get install runc debootstrap shellcheck'
  local missing=() pkg
  for pkg in "${HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  log "apt-get install ${missing[*]}"
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -q >/dev/null || die 'apt-get update failed'
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
      die "apt-get install ${missing[*]} failed"
  fi
}

sid_unpacked() {
  [[ -x $PREFIX/usr/sbin/dockerd && -x $PREFIX/usr/bin/docker && -x $PREFIX/usr/bin/containerd &&
    -x $PREFIX/usr/bin/containerd-shim-runc-v2 && -x $PREFIX/usr/libexec/docker/cli-plugins/docker-buildx &&
    -s $PREFIX/VERSIONS ]]
}

install_sid_packages() {
  if sid_unpacked && [[ ${DOCKER_SID_REFRESH:-0} != 1 ]]; then return 0; fi
  STEP='sid apt source'
  local mirror aptopts tmp pkg deb
  mirror=$(debian_mirror)
  mkdir -p "$STATE/sources.list.d" "$STATE/lists/partial" "$STATE/cache/archives/partial"
  # Check-Valid-Until: the mirror's sid Release file may be expired (seen on this mirror).
  cat >"$STATE/sources.list.d/sid.sources" <<EOF
# Written by scripts/ci/install-docker.sh: used only through its private apt state, never by the system apt.
Types: deb
URIs: $mirror
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
Check-Valid-Until: no
EOF
  aptopts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$STATE/sources.list.d"
    -o "Dir::State::Lists=$STATE/lists" -o "Dir::Cache=$STATE/cache"
    -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root -q)
  STEP="apt-get update (sid, $mirror)"
  log "fetching the sid package lists from $mirror"
  apt-get "${aptopts[@]}" update >/dev/null
  STEP="apt-get download ${SID_PACKAGES[*]} (sid)"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get "${aptopts[@]}" download "${SID_PACKAGES[@]}" >/dev/null)
  STEP="dpkg -x into $PREFIX"
  mkdir -p "$tmp/root"
  : >"$tmp/root/VERSIONS"
  for pkg in "${SID_PACKAGES[@]}"; do
    deb=$(compgen -G "$tmp/${pkg}_*.deb" | head -n 1 || true)
    [[ -n $deb ]] || die "apt-get download did not produce a .deb for $pkg"
    dpkg -x "$deb" "$tmp/root"
    printf '%s %s\n' "$pkg" "$(dpkg-deb -f "$deb" Version)" >>"$tmp/root/VERSIONS"
  done
  rm -rf "$PREFIX.new"
  mv "$tmp/root" "$PREFIX.new"
  rm -rf "$tmp"
  if [[ -e $PREFIX ]]; then rm -rf "$PREFIX.old" && mv "$PREFIX" "$PREFIX.old"; fi
  mv "$PREFIX.new" "$PREFIX"
  rm -rf "$PREFIX.old"
  log "unpacked into $PREFIX: $(tr '\n' ' ' <"$PREFIX/VERSIONS")"
}

link_client_and_plugin() {
  STEP='docker client and buildx plugin'
  # bookworm's runc goes first on the daemon's PATH; sid's containerd does not ship one.
  local runc
  runc=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v runc) || die 'runc (bookworm) not found'
  mkdir -p "$PREFIX/runc-first"
  ln -sfn "$runc" "$PREFIX/runc-first/runc"
  # The CLI looks for plugins in ~/.docker/cli-plugins, then /usr/local/lib/docker/cli-plugins, ...
  mkdir -p "$PLUGIN_DIR"
  ln -sfn "$PREFIX/usr/libexec/docker/cli-plugins/docker-buildx" "$PLUGIN_DIR/docker-buildx"
  # Keep a docker client that is already current (e.g. /usr/local/bin/docker 28.x); otherwise
  # put sid's client on PATH.
  local major
  major=$(client_major || true)
  if [[ -z $major ]] || ((major < MIN_CLIENT_MAJOR)); then
    ln -sfn "$PREFIX/usr/bin/docker" /usr/local/bin/docker
    hash -r
    log "linked /usr/local/bin/docker -> $PREFIX/usr/bin/docker"
  fi
  buildx_ok || die "docker buildx does not work ($(command -v docker); plugin $PLUGIN_DIR/docker-buildx)"
}

start_engine() {
  STEP='start dockerd'
  local pid=''
  if [[ -s /var/run/docker.pid ]]; then
    pid=$(cat /var/run/docker.pid)
    if kill -0 "$pid" 2>/dev/null && grep -q dockerd "/proc/$pid/comm" 2>/dev/null; then
      log "dockerd (pid $pid) is running but not answering yet; waiting"
    else
      pid=''
    fi
  fi
  if [[ -z $pid ]]; then
    mkdir -p "$(dirname "$DLOG")"
    printf '\n=== %s install-docker.sh starts dockerd\n' "$(date -u +%FT%TZ)" >>"$DLOG"
    # setsid + nohup: the daemon outlives this script and the shell that ran it. Descriptors 3-9
    # are closed so the daemon cannot keep a caller's lock (e.g. `flock FILE install-docker.sh`).
    env PATH="$PREFIX/runc-first:$PREFIX/usr/bin:$PREFIX/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
      setsid nohup "$PREFIX/usr/sbin/dockerd" \
      --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
      </dev/null >>"$DLOG" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    pid=$!
    log "started dockerd (pid $pid, log $DLOG)"
  fi
  STEP="wait for the engine (up to ${WAIT}s)"
  local deadline=$((SECONDS + WAIT))
  until engine_up; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 15 "$DLOG" >&2 || true
      die "dockerd exited before answering; see $DLOG"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 15 "$DLOG" >&2 || true
      die "dockerd did not answer within ${WAIT}s; see $DLOG"
    fi
    sleep 0.5
  done
}

main() {
  STEP='check'
  if engine_up && buildx_ok && host_tools_ok && [[ $(client_major) -ge $MIN_CLIENT_MAJOR ]]; then
    summary ' (already running)'
    return 0
  fi
  install_host_packages
  install_sid_packages
  link_client_and_plugin
  if engine_up; then
    summary ' (already running)'
  else
    start_engine
    summary ''
  fi
}

main "$@"
