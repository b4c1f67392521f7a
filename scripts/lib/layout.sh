#!/usr/bin/env bash
# The house rules of docs/architecture.md that a machine can check:
#   * the relayer talks to the chain and nothing else: it depends on no circuit, prover or node crate;
#   * circuits and prover know nothing of the chain runtime (no relayer or node);
#   * no hand-written Rust source file is longer than 600 lines;
#   * inside each crate, the top-level modules import each other without a cycle (module_graph.py).
set -euo pipefail
cd "$(dirname "$0")/../.."

fail=0
forbid() { # crate, forbidden dependency...
  local crate=$1; shift
  local tree
  tree=$(cargo tree -p "$crate" --edges normal,build --prefix none --locked 2>/dev/null | awk '{print $1}' | sort -u)
  for dep in "$@"; do
    if grep -qx "$dep" <<<"$tree"; then
      echo "layout: $crate must not depend on $dep (docs/architecture.md)" >&2
      fail=1
    fi
  done
}
forbid mlproof-relayer mlproof-circuits mlproof-prover mlproof-node mlproof-import
forbid mlproof-circuits mlproof-prover mlproof-relayer mlproof-node alloy
forbid mlproof-prover mlproof-relayer mlproof-node

while IFS= read -r f; do
  n=$(wc -l <"$f")
  if [ "$n" -gt 600 ]; then
    echo "layout: $f has $n lines (at most 600; split it by responsibility)" >&2
    fail=1
  fi
done < <(git ls-files '*.rs')

python3 scripts/lib/module_graph.py || fail=1

[ "$fail" -eq 0 ] && echo "layout: ok" >&2
exit "$fail"
