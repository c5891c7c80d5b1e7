#!/usr/bin/env bash
# Other Debian releases' ffmpeg on this machine, for testing the local backend on each:
#   bash scripts/ffmpeg-roots.sh bullseye trixie sid     # prints one wrapper path per release
# Each release gets a minimal root (debootstrap --variant=minbase) with Debian's ffmpeg package in
# it, kept in $IMG2VID_ROOTS (default /var/cache/img2vid-roots) and reused while its ffmpeg answers.
# The wrapper <root>.bin/ffmpeg runs that root's own binary with that root's own dynamic loader and
# libraries, on this machine's files: no chroot, no mounts, so the test's paths work as they are.
# Needs root (debootstrap) and Debian's package mirror; roots are built side by side.
set -euo pipefail
# debootstrap and chroot need root: elsewhere (a GitHub runner) run again through sudo
if [ "$(id -u)" != 0 ]; then exec sudo -n --preserve-env=IMG2VID_ROOTS,IMG2VID_DEBIAN_MIRROR bash "$0" "$@"; fi
ROOTS="${IMG2VID_ROOTS:-/var/cache/img2vid-roots}"
MIRROR="${IMG2VID_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$ROOTS"

# the root's path of a file, following symlinks inside the root (an absolute link points into it)
inside() {
  local root=$1 path=$2 hops=0 target
  while [ -L "$root$path" ] && [ $hops -lt 16 ]; do
    target=$(readlink "$root$path")
    case "$target" in /*) path=$target ;; *) path="$(dirname "$path")/$target" ;; esac
    hops=$((hops + 1))
  done
  printf '%s%s\n' "$root" "$path"
}

wrapper() {
  local suite=$1 root="$ROOTS/$1" bin="$ROOTS/$1.bin" loader libs
  mkdir -p "$bin"
  loader=""
  for l in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
    if [ -e "$(inside "$root" "$l")" ]; then loader=$(inside "$root" "$l") && break; fi
  done
  [ -n "$loader" ] || { echo "no dynamic loader in $root" >&2; return 1; }
  # every folder of the root that holds a shared library (RUNPATHs such as pulseaudio/ included)
  libs=$(find "$root/usr/lib" "$root/lib" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | paste -sd:)
  printf '#!/bin/sh\n# Debian %s'"'"'s ffmpeg, run with its own loader and libraries (scripts/ffmpeg-roots.sh)\nexec %s --library-path %s %s/usr/bin/ffmpeg "$@"\n' \
    "$suite" "$loader" "$libs" "$root" >"$bin/ffmpeg.tmp"
  chmod +x "$bin/ffmpeg.tmp"
  mv "$bin/ffmpeg.tmp" "$bin/ffmpeg"
}

build() {
  local suite=$1 root="$ROOTS/$1" log="$ROOTS/$1.log"
  if "$ROOTS/$suite.bin/ffmpeg" -hide_banner -version >/dev/null 2>&1; then return 0; fi
  # a root whose wrapper is missing or stale (written by an older version of this script)
  if [ -x "$root/usr/bin/ffmpeg" ] && wrapper "$suite" && "$ROOTS/$suite.bin/ffmpeg" -hide_banner -version >/dev/null 2>&1; then return 0; fi
  rm -rf "$root" "$ROOTS/$suite.bin"
  {
    debootstrap --variant=minbase "$suite" "$root" "$MIRROR" &&
      DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends ffmpeg &&
      chroot "$root" apt-get clean
  } >"$log" 2>&1 || {
    echo "building Debian $suite's ffmpeg failed; the end of $log:" >&2
    tail -n 20 "$log" >&2
    return 1
  }
  wrapper "$suite"
  "$ROOTS/$suite.bin/ffmpeg" -hide_banner -version >/dev/null
}

pids=()
for suite in "$@"; do
  if ! "$ROOTS/$suite.bin/ffmpeg" -hide_banner -version >/dev/null 2>&1 && ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  build "$suite" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ $failed = 0 ] || exit 1
for suite in "$@"; do echo "$ROOTS/$suite.bin/ffmpeg"; done
