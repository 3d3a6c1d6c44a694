#!/usr/bin/env bash
# The whole test suite, as the README says: install what the tests need, then run them all.
# Extra arguments go to pytest. Fails when a test fails or when no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-env.sh
export PATH="$HOME/.cache/kctl/bin:$PATH"
set +e
python3 -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$rc"
