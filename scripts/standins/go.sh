#!/usr/bin/env bash
#
# Stand-in for golang:1.27-trixie (see docs/standins.md): Debian trixie minbase + Debian's Go 1.27
# (package golang-1.27-go from trixie-backports) linked as /usr/local/go, git, ca-certificates,
# and gcc/libc6-dev/make/pkg-config like the official (non-slim) image, so cgo behaves the same:
# a build that does not set CGO_ENABLED=0 links against glibc here too.
# ENV GOPATH=/go, PATH=/go/bin:/usr/local/go/bin:..., GOTOOLCHAIN=local; WORKDIR /go.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly TAG=golang:1.27-trixie
readonly GO_PACKAGE=golang-1.27-go
readonly GO_SUITE=trixie-backports
readonly GO_ROOT=/usr/lib/go-1.27

build_go() { # TAG HASH
  local ctx base
  standin_require docker debootstrap
  base=$(standin_base_image trixie)
  ctx=$(standin_context go)
  standin_step 'go build context'
  standin_image_sources trixie "$GO_SUITE" >"$ctx/backports.sources"
  cat >"$ctx/Dockerfile" <<EOF
FROM $base
COPY backports.sources /etc/apt/sources.list.d/debian.sources
RUN apt-get update \\
 && apt-get install -y --no-install-recommends -t $GO_SUITE $GO_PACKAGE \\
 && apt-get install -y --no-install-recommends git gcc libc6-dev make pkg-config \\
 && rm -rf /var/lib/apt/lists/* \\
 && sed -i 's/ $GO_SUITE\$//' /etc/apt/sources.list.d/debian.sources \\
 && ln -s $GO_ROOT /usr/local/go \\
 && mkdir -p /go/src /go/bin && chmod -R 1777 /go
ENV GOTOOLCHAIN=local \\
    GOPATH=/go \\
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN go version && go env GOROOT
WORKDIR /go
EOF
  standin_build "$1" "$2" "$ctx"
}

standin_main go "$TAG" build_go
