#!/usr/bin/env bash
# Builds the anchor of the side-by-side benchmarks: Apache guacenc 1.5.5 (no guacd, no FreeRDP)
# into a private prefix, plus Debian's ffmpeg with libx264 for its second pass. About 3 minutes
# on 2 cores. Needs root for apt-get (skipped when the packages are there).
#
#   bench/anchor.sh GUACAMOLE_SERVER_GIT_DIR [PREFIX]      # PREFIX defaults to ~/anchors
#
# GUACAMOLE_SERVER_GIT_DIR: a clone (bare is fine) of apache/guacamole-server holding tag 1.5.5.
# Result: PREFIX/guac-1.5.5/bin/guacenc. bench/frontier.sh finds it there (or in $ANCHOR_GUACENC).
set -euo pipefail
git_dir=${1:?usage: bench/anchor.sh GUACAMOLE_SERVER_GIT_DIR [PREFIX]}
prefix=${2:-$HOME/anchors}
packages=(autoconf automake libtool pkg-config make gcc libcairo2-dev libjpeg62-turbo-dev libpng-dev
  libwebp-dev libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libossp-uuid-dev libssl-dev
  ffmpeg time)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
if [ -x "$prefix/guac-1.5.5/bin/guacenc" ]; then
  echo "anchor: $prefix/guac-1.5.5/bin/guacenc already built"
  exit 0
fi
src=$prefix/src-1.5.5
rm -rf "$src" && mkdir -p "$src"
git --git-dir="$git_dir" archive 1.5.5 | tar -x -C "$src"
cd "$src"
autoreconf -fi >/dev/null
./configure -q --prefix="$prefix/guac-1.5.5" --disable-guacd --disable-guaclog >/dev/null
make -s -j"$(nproc)" >/dev/null 2>&1 || make -j1   # the second run shows the error
make -s install >/dev/null
echo "anchor: built $prefix/guac-1.5.5/bin/guacenc"
