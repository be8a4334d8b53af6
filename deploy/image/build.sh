#!/usr/bin/env bash
# Builds the video-worker container image without a Docker daemon and writes it as an archive
# that `docker load -i` (and podman, skopeo) accept.
#
#   deploy/image/build.sh [--arch amd64|arm64] [--out DIR] [--jar JAR]
#
# What it does, and how it stays the same image as the Dockerfile's:
#   1. the jar: --jar, else worker/target/video-worker.jar, built with ./mvnw -B -ntp -DskipTests
#      package when missing or older than the sources and poms (like ./video-worker does);
#   2. layer 1, the root filesystem: mmdebstrap --variant=minbase of Debian 12 (bookworm, plus
#      bookworm-updates and bookworm-security, like debian:bookworm-slim) with --include = the
#      packages of deploy/image/packages.txt (the list the Dockerfile installs), no recommends, no
#      manuals/docs/locales (copyright files stay), no apt lists (an empty /usr/share/man/man1
#      must exist, as in the Dockerfile: the JRE's postinst links java.1.gz there); merged /usr
#      set up by mmdebstrap's merged-usr hook, as debootstrap does for the debian images (else
#      bookworm's init-system-helpers pulls in the usrmerge package and with it perl, 40 MB); then deploy/image/setup.sh in a
#      chroot (user video 10001:10001, /opt/video-worker, /opt/video/data), as the Dockerfile runs it,
#      and deploy/image/check as /usr/local/bin/check (the Dockerfile COPYs it);
#   3. layer 2: /opt/video-worker/video-worker.jar and /opt/video-worker/entrypoint.sh;
#   4. the image config (Env, Entrypoint, Cmd, WorkingDir, ExposedPorts, Volumes, Healthcheck) is
#      read from the Dockerfile's runtime stage, so there is one source for it;
#   5. the docker-archive ("docker save" format): manifest.json {Config, RepoTags, Layers}, the
#      config JSON named by its sha256, and each layer as <sha256>/layer.tar (uncompressed, so the
#      rootfs.diff_ids are the sha256 of those very files).
# Tags: video-worker:<pom version> and video-worker:<pom version>-<arch>.
# Output: DIR/video-worker-<version>-<arch>.tar (DIR defaults to target/image); its path is the
# only line the script prints on stdout (progress goes to stderr).
# Reproducible-ish: tar members sorted, numeric owners, every mtime clamped to SOURCE_DATE_EPOCH
# (default: the last commit's time); the packages are whatever the mirror serves that day.
# Downloaded .debs are kept in target/image/apt-cache (APT_CACHE=DIR to move it), so a second run
# downloads only the package indices. MIRROR=http://... replaces http://deb.debian.org.
# A foreign --arch (arm64 on an amd64 host) runs the packages' maintainer scripts under
# qemu-user-static through binfmt_misc, and takes several minutes (docs/deployment.md).
# Needs root (mmdebstrap's root mode, chroot). Installs mmdebstrap etc. with apt-get if missing.
set -euo pipefail
started=$(date +%s)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
arch="$(dpkg --print-architecture)"
out="$repo/target/image"
jar=""

die() {
    echo "build.sh: $*" >&2
    exit 1
}
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) arch="${2:?--arch needs amd64 or arm64}"; shift 2 ;;
        --arch=*) arch="${1#*=}"; shift ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        --out=*) out="${1#*=}"; shift ;;
        --jar) jar="${2:?--jar needs a file}"; shift 2 ;;
        --jar=*) jar="${1#*=}"; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
case "$arch" in amd64 | arm64) ;; *) die "--arch must be amd64 or arm64, not $arch" ;; esac
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap's root mode and chroot)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cache="${APT_CACHE:-$repo/target/image/apt-cache}"
mirror="${MIRROR:-http://deb.debian.org}"
export DEBIAN_FRONTEND=noninteractive

# ---- tools ----
need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
host_arch="$(dpkg --print-architecture)"
if [ "$arch" != "$host_arch" ]; then
    command -v arch-test >/dev/null || need+=(arch-test)
    [ -e /usr/libexec/qemu-binfmt/aarch64-binfmt-P ] || [ -e /usr/bin/qemu-aarch64-static ] || need+=(qemu-user-static)
    command -v update-binfmts >/dev/null || need+=(binfmt-support)
fi
if [ ${#need[@]} -gt 0 ]; then
    echo "build.sh: installing ${need[*]}" >&2
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi
if [ "$arch" != "$host_arch" ] && ! arch-test "$arch" >/dev/null 2>&1; then
    # binfmt_misc: mounted by systemd on a normal host; in a container it may need mounting, and
    # binfmt-support's entries may be installed but disabled
    [ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
    update-binfmts --enable "qemu-$( [ "$arch" = arm64 ] && echo aarch64 || echo x86_64)" >/dev/null 2>&1 || true
    arch-test "$arch" >/dev/null 2>&1 || die "cannot run $arch programs here (qemu-user-static with binfmt_misc); arch-test says: $(arch-test "$arch" 2>&1)"
fi

# ---- the jar ----
version="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$repo/pom.xml" | head -n 1)"
[ -n "$version" ] || die "no <version> in $repo/pom.xml"
if [ -z "$jar" ]; then
    jar="$repo/worker/target/video-worker.jar"
    if [ ! -f "$jar" ] || [ -n "$(find "$repo" -path "$repo/*/src/main/*" -newer "$jar" -print -quit)" ] \
        || [ -n "$(find "$repo" -maxdepth 2 -name pom.xml -newer "$jar" -print -quit)" ]; then
        echo "build.sh: building $jar" >&2
        (cd "$repo" && ./mvnw -B -ntp -q -DskipTests package >&2)
    fi
fi
[ -f "$jar" ] || die "no jar at $jar"

# ---- the image config, from the Dockerfile's runtime stage (after its last FROM) ----
dockerfile="$repo/Dockerfile"
stage="$(awk '/^FROM /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$dockerfile")"
directive() { # the argument of the stage's last $1 line
    printf '%s\n' "$stage" | sed -n "s/^$1 //p" | tail -n 1
}
json_str() {
    local s="$1"
    s="${s//\\/\\\\}"
    s="${s//\"/\\\"}"
    printf '"%s"' "$s"
}
nanos() { # 30s, 1m, 2h -> nanoseconds
    local v="${1%[smh]}" unit="${1: -1}"
    case "$unit" in s) echo $((v * 1000000000)) ;; m) echo $((v * 60000000000)) ;; h) echo $((v * 3600000000000)) ;; *) die "bad duration $1" ;; esac
}
entrypoint="$(directive ENTRYPOINT)"
cmd="$(directive CMD)"
workdir="$(directive WORKDIR)"
[[ "$entrypoint" == \[* && "$cmd" == \[* ]] || die "ENTRYPOINT and CMD in $dockerfile must be JSON arrays"
env_json="$(json_str "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")"
while read -r kv; do
    [ -n "$kv" ] && env_json+=",$(json_str "$kv")"
done < <(printf '%s\n' "$stage" | sed -n 's/^ENV \([A-Za-z_][A-Za-z0-9_]*=.*\)$/\1/p')
ports_json=""
for p in $(printf '%s\n' "$stage" | sed -n 's/^EXPOSE //p'); do
    [[ "$p" == */* ]] || p="$p/tcp"
    ports_json+="${ports_json:+,}$(json_str "$p"):{}"
done
volumes_json=""
for v in $(printf '%s\n' "$stage" | sed -n 's/^VOLUME //p'); do
    volumes_json+="${volumes_json:+,}$(json_str "$v"):{}"
done
health="$(directive HEALTHCHECK)"
[[ "$health" =~ ^(.*)CMD\ (.+)$ ]] || die "no HEALTHCHECK ... CMD in $dockerfile"
health_opts="${BASH_REMATCH[1]}" health_cmd="${BASH_REMATCH[2]}"
health_json="\"Test\":[\"CMD-SHELL\",$(json_str "$health_cmd")]"
for o in $health_opts; do
    case "$o" in
        --interval=*) health_json+=",\"Interval\":$(nanos "${o#*=}")" ;;
        --timeout=*) health_json+=",\"Timeout\":$(nanos "${o#*=}")" ;;
        --start-period=*) health_json+=",\"StartPeriod\":$(nanos "${o#*=}")" ;;
        --retries=*) health_json+=",\"Retries\":${o#*=}" ;;
        *) die "HEALTHCHECK option $o not understood" ;;
    esac
done

# ---- working folder; removed on every exit ----
work="$(mktemp -d "$out/.build-$arch.XXXXXX")"
cleanup() {
    # mmdebstrap unmounts what it mounted; nothing is left mounted here
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || stat -c %Y "$jar")}"
created="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
packages="$(sed -e 's/#.*//' "$here/packages.txt" | xargs | tr ' ' ',')"
[ -n "$packages" ] || die "no packages in $here/packages.txt"
mkdir -p "$cache"

# ---- layer 1: Debian root filesystem ----
echo "build.sh: root filesystem for $arch (mmdebstrap, packages: $packages)" >&2
rootfs="$work/rootfs"
t0=$(date +%s)
# its output goes to a log, shown when it fails (MMDEBSTRAP_LOG=/dev/stderr to watch it)
mmdebstrap_log="${MMDEBSTRAP_LOG:-$work/mmdebstrap.log}"
if ! mmdebstrap --variant=minbase --arch="$arch" --mode=root \
    --include="$packages" \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --skip=download/empty --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
    --setup-hook="sync-in $cache /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $cache" \
    --customize-hook="copy-in $here/check /usr/local/bin" \
    --customize-hook="copy-in $here/setup.sh /tmp" \
    --customize-hook='chroot "$1" sh /tmp/setup.sh && rm -f "$1"/tmp/setup.sh' \
    bookworm "$rootfs" \
    "deb $mirror/debian bookworm main" \
    "deb $mirror/debian bookworm-updates main" \
    "deb $mirror/debian-security bookworm-security main" >"$mmdebstrap_log" 2>&1; then
    [ -f "$mmdebstrap_log" ] && tail -n 40 "$mmdebstrap_log" >&2
    die "mmdebstrap failed"
fi
rm -f "$cache/lock"
rm -rf "$cache/partial"
echo "build.sh: root filesystem in $(($(date +%s) - t0)) s" >&2

# A layer tar: members sorted by name, owners numeric, mtimes clamped, no atime/ctime; the names
# carry no "./" prefix, as docker's own layers. Pseudo-filesystems stay empty folders.
layer_tar() { # DIR OUT
    local names
    names="$(cd "$1" && ls -A | LC_ALL=C sort)"
    # shellcheck disable=SC2086
    tar --create --file "$2" --directory "$1" --sort=name --numeric-owner --format=posix \
        --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
        --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime \
        --exclude='dev/*' --exclude='proc/*' --exclude='sys/*' --exclude='run/*' --exclude='tmp/*' \
        --exclude='var/cache/apt/archives/*.deb' --exclude='var/cache/apt/*.bin' --exclude='var/lib/apt/lists/*' \
        $names
}
layer_tar "$rootfs" "$work/base.tar"
rm -rf "$rootfs"

# ---- layer 2: the application ----
app="$work/app"
install -d -m 0755 "$app/opt" "$app/opt/video-worker"
install -m 0644 "$jar" "$app/opt/video-worker/video-worker.jar"
install -m 0755 "$here/entrypoint.sh" "$app/opt/video-worker/entrypoint.sh"
chown -R 0:0 "$app"
layer_tar "$app" "$work/app.tar"

# ---- the docker-archive ----
arc="$work/archive"
mkdir -p "$arc"
diff_ids="" layers="" sizes=""
for l in base app; do
    sum="$(sha256sum "$work/$l.tar" | cut -d' ' -f1)"
    sizes+="${sizes:+, }$l $(( ($(stat -c %s "$work/$l.tar") + 524288) / 1048576 )) MB"
    mkdir -p "$arc/$sum"
    mv "$work/$l.tar" "$arc/$sum/layer.tar"
    diff_ids+="${diff_ids:+,}\"sha256:$sum\""
    layers+="${layers:+,}\"$sum/layer.tar\""
done
revision="$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)"
variant=""
[ "$arch" = arm64 ] && variant=',"variant":"v8"'
config="{\"architecture\":\"$arch\"$variant,\"os\":\"linux\",\"created\":\"$created\",
\"config\":{\"Env\":[$env_json],\"Entrypoint\":$entrypoint,\"Cmd\":$cmd,\"WorkingDir\":$(json_str "$workdir"),
\"ExposedPorts\":{$ports_json},\"Volumes\":{$volumes_json},\"Healthcheck\":{$health_json},
\"Labels\":{\"org.opencontainers.image.title\":\"video-worker\",\"org.opencontainers.image.version\":$(json_str "$version"),
\"org.opencontainers.image.revision\":\"$revision\",\"org.opencontainers.image.licenses\":\"GPL-3.0-or-later\"}},
\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diff_ids]},
\"history\":[{\"created\":\"$created\",\"created_by\":\"mmdebstrap --variant=minbase bookworm --include=$packages; deploy/image/setup.sh\"},
{\"created\":\"$created\",\"created_by\":\"video-worker.jar and entrypoint.sh in /opt/video-worker\"}]}"
config="$(printf '%s' "$config" | tr -d '\n')"
config_sum="$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
printf '%s' "$config" >"$arc/$config_sum.json"
tags="\"video-worker:$version\",\"video-worker:$version-$arch\""
printf '[{"Config":"%s.json","RepoTags":[%s],"Layers":[%s]}]' "$config_sum" "$tags" "$layers" >"$arc/manifest.json"
target="$out/video-worker-$version-$arch.tar"
tar --create --file "$work/image.tar" --directory "$arc" --sort=name --numeric-owner --owner=0 --group=0 \
    --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime $(cd "$arc" && ls -A | LC_ALL=C sort)
mv -f "$work/image.tar" "$target"

size_mb() { echo "$(( ($(stat -c %s "$1") + 524288) / 1048576 )) MB"; }
echo "build.sh: $target ($(size_mb "$target"): layers $sizes; tags video-worker:$version," \
     "video-worker:$version-$arch) in $(($(date +%s) - started)) s" >&2
echo "$target" # the only line on stdout: archive="$(deploy/image/build.sh)"
