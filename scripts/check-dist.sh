#!/usr/bin/env bash
# dist/ is what runs when someone uses the action, so it must equal a fresh build of src/: rebuild,
# then fail on any difference, an untracked chunk file (dist/123.index.js) or a file the build
# writes that .gitignore keeps out of every commit (--ignored). The one place of this check:
# .ci/run runs it, and ci.yml runs .ci/run (and uploads the expected dist/ when this says so).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
if ! git diff --exit-code --stat -- dist/ || [ -n "$(git status --porcelain --untracked-files=all --ignored -- dist/)" ]; then
  echo "dist/ differs from a fresh build: run 'npm run build' and commit dist/ (on GitHub, the CI run's 'dist' artifact holds the expected dist/)." >&2
  git status --porcelain --untracked-files=all --ignored -- dist/ >&2
  # in a GitHub step (ci.yml's, which runs .ci/run): tell it to upload the expected dist/
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "dist-differs=true" >>"$GITHUB_OUTPUT"; fi
  exit 1
fi
