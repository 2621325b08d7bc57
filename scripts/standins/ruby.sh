#!/usr/bin/env bash
#
# Stand-in for ruby:3.4-slim-trixie (see docs/standins.md). NOT Ruby 3.4: Debian trixie's ruby (3.3)
# and bundler, plus the Ruby headers (ruby-dev; the official image has them too). RubyGems.org is
# not reachable, so the image carries a local gem source, /usr/local/share/gem-mirror, made by
# ruby-repack.rb from the gems Debian packages (RUBY_GEM_PACKAGES, installed in a throw-away build
# stage only). Those come from Debian sid (RUBY_GEM_SUITE), which carries current gems (Puma 8,
# Minitest 6, RuboCop) built for the same Ruby 3.3 as trixie's. Bundler uses it as the mirror of https://rubygems.org (mirror.https://rubygems.org/
# set in both the global config, ENV BUNDLE_USER_CONFIG=/etc/bundle/config, and the app config
# /usr/local/bundle/config), `gem install` through /etc/gemrc. (An ENV key such as
# BUNDLE_MIRROR__HTTPS://RUBYGEMS__ORG/ is not a shell name: /bin/sh drops it, so RUN would not
# see it.) Native gems (puma, nio4r) still need build-essential at install time, as with the real
# image. ENV GEM_HOME=/usr/local/bundle, BUNDLE_APP_CONFIG=/usr/local/bundle,
# BUNDLE_SILENCE_ROOT_WARNING=1, PATH=/usr/local/bundle/bin:...; CMD ["irb"].
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly TAG=ruby:3.4-slim-trixie
# ruby:3.4-slim-trixie + build-essential (a helper, not a real image name): `bundle install` of native
# gems such as puma works in it with no network at all, e.g. to run a template's tests offline.
readonly BUILD_TAG=cloudrun-standin/ruby-build:3.4
# Debian packages whose gems (and their dependencies' gems) become the offline gem source.
RUBY_GEM_PACKAGES=${RUBY_GEM_PACKAGES:-"ruby-sinatra puma ruby-rackup ruby-rack-test ruby-minitest rake rubocop"}
readonly RUBY_GEM_PACKAGES
# The Debian suite they come from (the mirror's sid Release file may be past its Valid-Until date).
readonly RUBY_GEM_SUITE=${RUBY_GEM_SUITE:-sid}
readonly MIRROR=/usr/local/share/gem-mirror

build_ruby() { # TAG HASH
  local ctx base
  standin_require docker debootstrap
  base=$(standin_base_image trixie)
  ctx=$(standin_context ruby)
  standin_step 'ruby build context'
  cp "$STANDIN_LIB_DIR/ruby-repack.rb" "$ctx/ruby-repack.rb"
  printf -- '---\n:sources:\n- file://%s/\n' "$MIRROR" >"$ctx/gemrc"
  printf -- '---\nBUNDLE_MIRROR__HTTPS://RUBYGEMS__ORG/: "file://%s"\n' "$MIRROR" >"$ctx/bundle-config"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$(standin_mirror)" "$RUBY_GEM_SUITE" >"$ctx/gem-suite.sources"
  cat >"$ctx/Dockerfile" <<EOF
FROM $base AS gems
COPY gem-suite.sources /etc/apt/sources.list.d/gem-suite.sources
RUN apt-get -o Acquire::Check-Valid-Until=false update \\
 && apt-get install -y --no-install-recommends -t $RUBY_GEM_SUITE ruby $RUBY_GEM_PACKAGES \\
 && rm -rf /var/lib/apt/lists/*
COPY ruby-repack.rb /tmp/ruby-repack.rb
RUN ruby /tmp/ruby-repack.rb /gem-mirror

FROM $base
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ruby ruby-dev bundler \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /usr/local/bundle && chmod 1777 /usr/local/bundle
COPY --from=gems /gem-mirror/ $MIRROR/
COPY gemrc /etc/gemrc
COPY bundle-config /etc/bundle/config
COPY bundle-config /usr/local/bundle/config
ENV LANG=C.UTF-8 \\
    RUBY_VERSION=3.3 \\
    GEM_HOME=/usr/local/bundle \\
    BUNDLE_SILENCE_ROOT_WARNING=1 \\
    BUNDLE_APP_CONFIG=/usr/local/bundle \\
    BUNDLE_USER_CONFIG=/etc/bundle/config \\
    PATH=/usr/local/bundle/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN ruby --version && bundle --version && gem list --remote sinatra | grep -q sinatra \\
 && bundle config get mirror.https://rubygems.org | grep -q "$MIRROR"
CMD ["irb"]
EOF
  standin_build "$1" "$2" "$ctx"
}

build_ruby_build() { # TAG HASH
  local ctx
  ctx=$(standin_context ruby-build)
  cat >"$ctx/Dockerfile" <<EOF
FROM $TAG
RUN apt-get update \\
 && apt-get install -y --no-install-recommends build-essential \\
 && rm -rf /var/lib/apt/lists/*
EOF
  standin_build "$1" "$2" "$ctx"
}

standin_main ruby "$TAG" build_ruby
standin_main ruby "$BUILD_TAG" build_ruby_build
