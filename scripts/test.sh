#!/usr/bin/env bash
# The whole test suite, as CI runs it: starts (or installs) PostgreSQL and Redis on localhost,
# then builds every module and runs every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/services.sh
exec mvn -B verify "$@"
