#!/usr/bin/env bash
# Prepares the real-VS-Code test tier (`npm run test:e2e`): Debian packages, then code-server and
# playwright-core in `.e2e-cache/code-server`, outside the project's package.json. Idempotent:
# each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_CORE_VERSION=1.65.1
# @vscode/ripgrep (a dependency of code-server's VS Code) downloads `rg` from GitHub at install
# time; we hand it Debian's `rg` instead, in the cache file its postinstall looks for first.
RIPGREP_PACKAGE_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

CACHE_DIR="$PWD/.e2e-cache/code-server"
start=$(date +%s)

# 1. Debian packages: chromium (driven by Playwright), libkrb5-dev (the `kerberos` native module
#    builds against it), ripgrep (see above).
missing=()
for package in chromium libkrb5-dev ripgrep; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "== e2e-setup: installing Debian packages: ${missing[*]}"
  sudo_prefix=()
  if [[ $(id -u) -ne 0 ]]; then sudo_prefix=(sudo); fi
  "${sudo_prefix[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_prefix[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "== e2e-setup: Debian packages present"
fi

# 2. The ripgrep tarball: @vscode/ripgrep untars it into its own bin/ and expects `rg` at the
#    top of the archive.
ripgrep_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}"
if [[ ! -s "$ripgrep_cache/$RIPGREP_ASSET" ]]; then
  echo "== e2e-setup: caching Debian's rg as $ripgrep_cache/$RIPGREP_ASSET"
  mkdir -p "$ripgrep_cache"
  staging=$(mktemp -d)
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$ripgrep_cache/$RIPGREP_ASSET" -C "$staging" rg
  rm -rf "$staging"
fi

# 3. code-server and playwright-core, in their own prefix.
installed_version() {
  node -p "require('$CACHE_DIR/node_modules/$1/package.json').version" 2>/dev/null || true
}
if [[ $(installed_version code-server) != "$CODE_SERVER_VERSION" \
   || $(installed_version playwright-core) != "$PLAYWRIGHT_CORE_VERSION" \
   || ! -x "$CACHE_DIR/node_modules/.bin/code-server" ]]; then
  echo "== e2e-setup: installing code-server@$CODE_SERVER_VERSION and playwright-core@$PLAYWRIGHT_CORE_VERSION into $CACHE_DIR"
  mkdir -p "$CACHE_DIR"
  # A package.json of its own, so npm does not walk up to the project's.
  if [[ ! -f "$CACHE_DIR/package.json" ]]; then
    printf '{ "name": "kscn-e2e-cache", "private": true }\n' >"$CACHE_DIR/package.json"
  fi
  npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr \
    npm install --prefix "$CACHE_DIR" --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION"
else
  echo "== e2e-setup: code-server $CODE_SERVER_VERSION and playwright-core present"
fi

# code-server writes a config file under HOME even for --version: give it a throwaway one.
scratch_home=$(mktemp -d)
HOME="$scratch_home" XDG_CONFIG_HOME="$scratch_home/.config" XDG_DATA_HOME="$scratch_home/.local/share" \
  "$CACHE_DIR/node_modules/.bin/code-server" --version 2>/dev/null | tail -1
rm -rf "$scratch_home"
echo "== e2e-setup: done in $(( $(date +%s) - start )) s"
