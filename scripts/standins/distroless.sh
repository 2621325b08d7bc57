#!/usr/bin/env bash
#
# Stand-ins for Google's distroless images (see docs/standins.md), both FROM scratch, no shell:
#   gcr.io/distroless/static-debian13:nonroot  /etc/passwd (root 0, nobody 65534, nonroot 65532),
#       /etc/group, /etc/os-release, Debian trixie's CA bundle and tzdata, a 1777 /tmp,
#       /home/nonroot; USER 65532:65532, WORKDIR /home/nonroot, SSL_CERT_FILE set.
#   gcr.io/distroless/nodejs26-debian13:nonroot  the same plus trixie's glibc, libstdc++ and
#       libgcc_s, libatomic (only what `ldd node` lists) and the official Node 26 binary as /nodejs/bin/node;
#       ENTRYPOINT ["/nodejs/bin/node"].
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly STATIC_TAG=gcr.io/distroless/static-debian13:nonroot
readonly NODEJS_TAG=gcr.io/distroless/nodejs26-debian13:nonroot

distroless_context() { # -> prints the context directory (the same for both targets)
  local ctx base node
  standin_require docker npm debootstrap
  base=$(standin_base_image trixie)
  node=$(standin_node_binary)
  ctx=$(standin_context distroless)
  cp "$node" "$ctx/node"
  cat >"$ctx/Dockerfile" <<EOF
FROM $base AS rootfs
RUN apt-get update && apt-get install -y --no-install-recommends tzdata libatomic1 && rm -rf /var/lib/apt/lists/*
COPY node /node
RUN set -eu; \\
    s=/static; mkdir -p \$s/etc/ssl/certs \$s/tmp \$s/home/nonroot \$s/root \$s/usr/share \$s/var; \\
    cp /etc/ssl/certs/ca-certificates.crt \$s/etc/ssl/certs/; \\
    cp -a /usr/share/zoneinfo \$s/usr/share/zoneinfo; \\
    printf 'root:x:0:0:root:/root:/sbin/nologin\\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\\n' >\$s/etc/passwd; \\
    printf 'root:x:0:\\nnobody:x:65534:\\ntty:x:5:\\nstaff:x:50:\\nnonroot:x:65532:\\n' >\$s/etc/group; \\
    printf 'PRETTY_NAME="Distroless (cloudrun stand-in)"\\nNAME="Debian GNU/Linux"\\nID="debian"\\nVERSION_ID="13"\\nVERSION="Debian GNU/Linux 13 (trixie)"\\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\\n' >\$s/etc/os-release; \\
    chmod 1777 \$s/tmp; chmod 0700 \$s/root; chown 65532:65532 \$s/home/nonroot; \\
    n=/nodejs-root; cp -a \$s \$n; mkdir -p \$n/nodejs/bin \$n/usr/lib/x86_64-linux-gnu \$n/usr/lib64; \\
    cp /node \$n/nodejs/bin/node; \\
    for lib in \$(ldd /node | awk '\$2 == "=>" && \$3 ~ /^\\// {print \$3}'); do \\
      cp -L "\$lib" \$n/usr/lib/x86_64-linux-gnu/; \\
    done; \\
    cp -L /lib64/ld-linux-x86-64.so.2 \$n/usr/lib64/; \\
    ln -s usr/lib \$n/lib; ln -s usr/lib64 \$n/lib64; \\
    chroot \$n /nodejs/bin/node -e 'process.exit(0)'

FROM scratch AS static
COPY --from=rootfs /static/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot

FROM scratch AS nodejs
COPY --from=rootfs /nodejs-root/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/nodejs/bin/node"]
EOF
  printf '%s\n' "$ctx"
}

build_static() { standin_build "$1" "$2" "$(distroless_context)" --target static; }
build_nodejs() { standin_build "$1" "$2" "$(distroless_context)" --target nodejs; }

standin_main distroless "$STATIC_TAG" build_static
standin_main distroless "$NODEJS_TAG" build_nodejs
