# shellcheck shell=bash
# Installs what is missing for mlproof on a fresh machine, using only the package registries:
#   * forge, anvil, cast (Foundry's npm binaries), solc-js, forge-std and OpenZeppelin via `npm ci`
#     (pinned in package.json / package-lock.json);
#   * the Rust toolchain is expected (rustup's cargo); crates come from crates.io (Cargo.lock).
# Everything is logged to stderr so a command's stdout stays machine-readable.
# Source it from the repository root, then call `ensure_toolchain`.

log() { printf '[mlproof] %s\n' "$*" >&2; }

die() { log "error: $*"; exit 1; }

ensure_toolchain() {
  command -v node >/dev/null 2>&1 || die "node is required (Node.js 18+; e.g. apt-get install nodejs npm)"
  command -v npm >/dev/null 2>&1 || die "npm is required"
  command -v cargo >/dev/null 2>&1 || die "cargo is required (the Rust toolchain, via rustup)"

  # npm ci when node_modules is missing or older than the lockfile.
  if [ ! -x node_modules/.bin/forge ] || [ ! -f node_modules/.package-lock.json ] \
     || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing the Solidity toolchain from npm (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >&2 || die "npm ci failed"
  fi
  export PATH="$PWD/node_modules/.bin:$PATH"
  export ANVIL_BIN="$PWD/node_modules/.bin/anvil"
  forge --version >/dev/null 2>&1 || die "forge from npm does not run on this machine"
  anvil --version >/dev/null 2>&1 || die "anvil from npm does not run on this machine"
  ./tools/solc --version >/dev/null 2>&1 || die "tools/solc (solc-js wrapper) does not run"
}
