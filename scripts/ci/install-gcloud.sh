#!/usr/bin/env bash
#
# Install the Google Cloud CLI (Debian package google-cloud-cli) unless `gcloud` is already on
# PATH. Idempotent: a second run changes nothing. Needs root (or sudo) and apt.
#
# The package comes from Google's apt repository. When no enabled apt source points at it yet,
# this script adds one, signed by Google's key:
#   deb [signed-by=<keyring>] https://packages.cloud.google.com/apt cloud-sdk-bookworm main
# The key is downloaded (https://packages.cloud.google.com/apt/doc/apt-key.gpg) only when the
# keyring file is missing. Sources disabled by the host (e.g. *.disabled-by-farm) are left alone.
#
# Environment:
#   GCLOUD_APT_SUITE    apt suite (default: cloud-sdk-bookworm; Google also publishes cloud-sdk)
#   GCLOUD_APT_KEYRING  keyring path (default: /usr/share/keyrings/cloud.google.asc, or .gpg
#                       when Google serves a binary key)

set -Eeuo pipefail

readonly REPO_URL='https://packages.cloud.google.com/apt'
readonly KEY_URL='https://packages.cloud.google.com/apt/doc/apt-key.gpg'
readonly SUITE=${GCLOUD_APT_SUITE:-cloud-sdk-bookworm}
readonly KEYRING=${GCLOUD_APT_KEYRING:-/usr/share/keyrings/cloud.google.asc}
readonly LIST_FILE='/etc/apt/sources.list.d/google-cloud-sdk.list'
KEY_PATH=''

log() { printf 'install-gcloud: %s\n' "$*" >&2; }
die() {
  printf 'install-gcloud: error: %s\n' "$*" >&2
  exit 1
}
trap 'die "failed at line $LINENO (exit $?)"' ERR

SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || die 'run as root (or install sudo)'
  SUDO=(sudo)
fi
as_root() { "${SUDO[@]}" "$@"; }

# The enabled apt source files (one-line .list and deb822 .sources) that mention Google's repository.
google_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] || continue
    if grep -Eq "^[^#]*packages\.cloud\.google\.com/apt" "$file"; then printf '%s\n' "$file"; fi
  done
}

# install_key PATH [adapt]: download Google's signing key to PATH unless it is there, and set
# KEY_PATH. apt wants an ASCII-armored key in a file ending in .asc and a binary one in .gpg; with
# "adapt" the extension follows the key, otherwise a mismatch is an error.
install_key() {
  local keyring=$1 adapt=${2:-} key
  KEY_PATH=$keyring
  if [[ -s $keyring ]]; then
    log "key already present: $keyring"
    return 0
  fi
  command -v curl >/dev/null 2>&1 || die "curl is needed to download $KEY_URL (apt-get install curl)"
  key=$(mktemp)
  if ! curl -fsSL --retry 3 -o "$key" "$KEY_URL"; then
    rm -f "$key"
    die "cannot download the apt signing key from $KEY_URL; put it at $keyring by hand"
  fi
  local wanted=gpg
  if grep -q 'BEGIN PGP PUBLIC KEY BLOCK' "$key"; then wanted=asc; fi
  if [[ $keyring != *.$wanted ]]; then
    if [[ $adapt != adapt ]]; then
      rm -f "$key"
      die "the downloaded key needs a file ending in .$wanted, but the apt source expects $keyring"
    fi
    keyring="${keyring%.*}.$wanted"
    KEY_PATH=$keyring
    [[ -s $keyring ]] && rm -f "$key" && log "key already present: $keyring" && return 0
  fi
  as_root install -D -m 0644 "$key" "$keyring"
  rm -f "$key"
  log "installed the apt signing key at $keyring"
}

main() {
  if command -v gcloud >/dev/null 2>&1; then
    log "gcloud is already installed: $(gcloud --version 2>/dev/null | head -n 1)"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die 'apt-get not found: install the Google Cloud CLI as https://cloud.google.com/sdk/docs/install describes'

  local sources=() keyring=''
  mapfile -t sources < <(google_sources)
  if ((${#sources[@]} > 0)); then
    log "using the existing apt source: ${sources[*]}"
    # A source with signed-by needs that key file; one without relies on apt's trusted keys.
    keyring=$(sed -n 's/.*signed-by=\([^] ]*\).*/\1/p; s/^Signed-By: *\([^ ]*\).*/\1/p' "${sources[@]}" | head -n 1)
    if [[ -n $keyring ]]; then install_key "$keyring"; fi
  else
    install_key "$KEYRING" adapt
    log "adding $LIST_FILE"
    printf 'deb [signed-by=%s] %s %s main\n' "$KEY_PATH" "$REPO_URL" "$SUITE" | as_root tee "$LIST_FILE" >/dev/null
  fi

  log 'apt-get update'
  as_root apt-get update -q ||
    die "apt-get update failed; if it reports NO_PUBKEY for $REPO_URL, install Google's key ($KEY_URL) where the source expects it"
  log 'apt-get install google-cloud-cli'
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends google-cloud-cli

  command -v gcloud >/dev/null 2>&1 || die 'google-cloud-cli was installed but gcloud is not on PATH'
  log "installed: $(gcloud --version 2>/dev/null | head -n 1)"
}

main "$@"
