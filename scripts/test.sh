#!/usr/bin/env bash
# Runs every test file (src/**, clients/**, cli/** *.test.ts beside the code, test/**/*.test.ts
# for integration, bench/*.test.ts for the benchmark helpers) with node's test runner through
# tsx. Extra arguments narrow the run: `npm test -- src/core`.
set -euo pipefail
cd "$(dirname "$0")/.."
roots=("$@"); [ ${#roots[@]} -gt 0 ] || roots=(src test bench clients cli)
mapfile -t files < <(find "${roots[@]}" -name '*.test.ts' -not -path '*/node_modules/*' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files under ${roots[*]}" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
