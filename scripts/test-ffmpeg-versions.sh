#!/usr/bin/env bash
# The local backend's tests on other Debian releases' ffmpeg (scripts/ffmpeg-roots.sh builds them):
# every filter the action uses, each transition, fit, alpha, GIF, title, previews and music, through
# src/ and through dist/index.js. Measuring (decoding frames, probing) uses PATH's ffmpeg.
#   bash scripts/test-ffmpeg-versions.sh [suite…]     # default: bullseye trixie sid (4.3, 7.1, newest)
set -euo pipefail
cd "$(dirname "$0")/.."
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bullseye trixie sid)
# a command substitution, not a process substitution: a root that cannot be built stops the run
listed=$(bash scripts/ffmpeg-roots.sh "${suites[@]}")
mapfile -t wrappers <<<"$listed"
if [ ${#wrappers[@]} -ne ${#suites[@]} ]; then
  echo "scripts/ffmpeg-roots.sh gave ${#wrappers[@]} ffmpeg(s) for ${#suites[@]} release(s)" >&2
  exit 1
fi
for ff in "${wrappers[@]}"; do
  printf '\n-- %s\n' "$("$ff" -hide_banner -version | head -n 1)"
  IMG2VID_TEST_FFMPEG="$ff" node --import tsx --test --test-concurrency=2 test/unit/local.test.ts test/unit/media.test.ts test/e2e/local.test.ts test/e2e/ffmpeg-calls.test.ts test/e2e/previews.test.ts test/e2e/photos.test.ts test/e2e/titles.test.ts
done
