#!/usr/bin/env bash
#
# Build the local stand-ins for the base images generated Dockerfiles use (no container registry
# is reachable here; see docs/standins.md). Only what is missing or out of date is built: an image
# whose tag carries the current hash of its script (label org.create-cloudrun-app.standin.hash)
# is left alone. One line per image: "stand-in TAG: built in Ns" or "stand-in TAG: present".
#
#   scripts/standins/build.sh [NAME...]
#
# NAME: node, distroless, go, python, ruby (default: all), or an image tag such as
# node:26-trixie-slim. Needs root, a running engine and debootstrap (scripts/ci/install-docker.sh).
#
# Environment: STANDIN_TIMEOUT (seconds per script, default 1200), STANDIN_CACHE, STANDIN_REBUILD,
# STANDIN_REFRESH (see lib.sh).
set -Eeuo pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly dir
readonly ALL=(node distroless go python ruby)
readonly TIMEOUT=${STANDIN_TIMEOUT:-1200}
readonly CACHE=${STANDIN_CACHE:-/var/cache/cloudrun-standins}

die() {
  printf 'stand-ins: error: %s\n' "$*" >&2
  exit 1
}
trap 'die "failed at line $LINENO (exit $?)"' ERR

name_of() { # NAME or TAG -> script name
  case $1 in
    node | node:26-trixie-slim) echo node ;;
    distroless | gcr.io/distroless/static-debian13:nonroot | gcr.io/distroless/nodejs26-debian13:nonroot) echo distroless ;;
    go | golang | golang:1.27-trixie) echo go ;;
    python | python:3.14-slim-trixie) echo python ;;
    ruby | ruby:3.4-slim-trixie | cloudrun-standin/ruby-build:3.4) echo ruby ;;
    *) die "unknown stand-in '$1' (known: ${ALL[*]})" ;;
  esac
}

((EUID == 0)) || die 'run as root (debootstrap, docker)'
names=()
if (($# == 0)); then names=("${ALL[@]}"); fi
for arg in "$@"; do
  name=$(name_of "$arg") || exit 1
  [[ " ${names[*]-} " == *" $name "* ]] || names+=("$name")
done

# One build at a time on this machine (test runs may call this concurrently).
mkdir -p "$CACHE"
exec 9>"$CACHE/build.lock"
flock -w "$TIMEOUT" 9 || die "another build.sh held $CACHE/build.lock for ${TIMEOUT}s"

start=$SECONDS
failed=()
built=0
for name in "${names[@]}"; do
  if out=$(timeout "$TIMEOUT" bash "$dir/$name.sh"); then
    printf '%s\n' "$out"
    [[ $out == *'built in'* ]] && built=1
  else
    [[ -n $out ]] && printf '%s\n' "$out"
    printf 'stand-in %s: FAILED (see the error above; logs in %s/logs)\n' "$name" "$CACHE"
    failed+=("$name")
  fi
done
# Earlier builds of a stand-in that a rebuild replaced (untagged, labelled as stand-ins).
if ((built)); then
  docker image prune -f --filter "label=org.create-cloudrun-app.standin=true" >/dev/null 2>&1 || true
fi
if ((${#failed[@]} > 0)); then
  die "failed: ${failed[*]} (after $((SECONDS - start))s)"
fi
printf 'stand-ins: %s ready in %ss\n' "${names[*]}" "$((SECONDS - start))"
