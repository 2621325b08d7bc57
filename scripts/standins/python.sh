#!/usr/bin/env bash
#
# Stand-in for python:3.14-slim-trixie (see docs/standins.md). NOT Python 3.14: Debian bookworm's
# python3 (3.11), because the only offline wheels here are built for CPython 3.11. bookworm minbase
# + python3, python3-venv, python3-pip; python/python3/pip/pip3 in /usr/local/bin like the official
# image; the EXTERNALLY-MANAGED marker removed; pip (also inside venvs) installs only from /wheels
# (/etc/pip.conf: no-index, find-links), a folder of wheels downloaded here from the host's pip
# configuration (`pip config list`) at build time.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The wheels baked into the image (pip requirement specifiers, with their dependencies). The
# Python templates' requirements must name versions that are here.
PY_WHEELS=${PY_WHEELS:-"flask==3.1.3 gunicorn==26.2.0 pytest==9.1.1 blinker==1.9.0 click==8.5.0 itsdangerous==2.2.0 jinja2==3.1.6 markupsafe==3.0.3 werkzeug==3.1.9 packaging==26.3 iniconfig==2.3.0 pluggy==1.6.0 pygments==2.21.0 ruff==0.16.9 fastapi==0.142.2 uvicorn==0.54.0 starlette==1.7.0 pydantic==2.13.5 pydantic-core==2.46.5 annotated-doc==0.0.5 annotated-types==0.8.0 anyio==4.15.1 h11==0.16.0 idna==3.20 opentelemetry-api==1.45.0 typing-extensions==4.16.0 typing-inspection==0.4.4 pip setuptools wheel"}
readonly PY_WHEELS
readonly TAG=python:3.14-slim-trixie
readonly PY_VERSION=3.11

build_python() { # TAG HASH
  local ctx base wheels=()
  standin_require docker debootstrap pip
  base=$(standin_base_image bookworm)
  ctx=$(standin_context python)
  read -r -a wheels <<<"$PY_WHEELS"
  standin_step "pip download ${wheels[*]}"
  # --retries 0: the host's default index (PyPI) is unreachable and fails at once; the local
  # indexes from the host's pip configuration answer.
  if ! pip download -q --retries 0 --disable-pip-version-check -d "$ctx/wheels" --only-binary=:all: \
    --python-version "$PY_VERSION" "${wheels[@]}" >"$ctx/pip-download.log" 2>&1; then
    grep -v -e Retrying -e 'is ignored' "$ctx/pip-download.log" | tail -n 10 >&2
    standin_die "pip download of the wheels failed; see $ctx/pip-download.log"
  fi
  (cd "$ctx/wheels" && ls -1) >"$ctx/wheels.txt"
  printf '[global]\nno-index = true\nfind-links = /wheels\ndisable-pip-version-check = true\n' >"$ctx/pip.conf"
  cat >"$ctx/Dockerfile" <<EOF
FROM $base
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip \\
 && rm -rf /var/lib/apt/lists/* \\
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \\
 && ln -s /usr/bin/python3 /usr/local/bin/python3 \\
 && ln -s /usr/bin/python3 /usr/local/bin/python \\
 && ln -s /usr/bin/pip3 /usr/local/bin/pip3 \\
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \\
 && ln -s /usr/bin/pydoc3 /usr/local/bin/pydoc
COPY pip.conf /etc/pip.conf
COPY wheels/ /wheels/
ENV LANG=C.UTF-8 \\
    PYTHON_VERSION=$PY_VERSION
RUN python --version && pip --version && pip download -q -d /tmp/check --no-deps flask && rm -rf /tmp/check /root/.cache
CMD ["python3"]
EOF
  standin_build "$1" "$2" "$ctx"
}

standin_main python "$TAG" build_python
