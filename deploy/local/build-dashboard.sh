#!/usr/bin/env bash
# Builds the dashboard (services/Dashboard, or the npm project named as $1) into its dist/ when needed: `npm ci` when
# node_modules is missing or older than package-lock.json, `npm run build` when dist/index.html is missing or older
# than any source file (node_modules and dist aside). Everything comes from the committed lockfile; nothing else is
# fetched. Prints what it did; exits non-zero when a step fails.
set -euo pipefail
DIR=$(cd "${1:-$(dirname "$0")/../../services/Dashboard}" && pwd)
cd "$DIR"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "dashboard: npm ci ($DIR)"
  npm ci --no-audit --no-fund --loglevel=error
fi
newer=""
if [ -f dist/index.html ]; then
  newer=$(find . \( -path ./node_modules -o -path ./dist \) -prune -o -type f -newer dist/index.html -print -quit)
fi
if [ ! -f dist/index.html ] || [ -n "$newer" ]; then
  echo "dashboard: npm run build ($DIR)"
  npm run build --silent
else
  echo "dashboard: dist is up to date ($DIR/dist)"
fi
