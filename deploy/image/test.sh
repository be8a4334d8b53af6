#!/usr/bin/env bash
# Tests an image archive written by build.sh (or `docker save`) without a Docker daemon.
#
#   deploy/image/test.sh target/image/video-worker-<version>-<arch>.tar
#
# It reads the archive as `docker load` does (manifest.json -> config JSON, layers in order,
# whiteouts applied), checks the layer digests against rootfs.diff_ids, has skopeo read it, and
# unpacks the root filesystem into a temporary folder. Then it runs the image the way docker would:
# the config's Env (and nothing from this shell), its WorkingDir, its Entrypoint + arguments, in a
# chroot inside new PID and mount namespaces (unshare), so tini is PID 1, /proc is the
# container's, and /dev (and the test's volume bind mounts) are mounted in the private mount
# namespace only: they vanish with it, whatever happens to this script. Checks:
#   archive-*       manifest, config digest, layer digests, skopeo inspect
#   convert-*       the shipped sample through the entrypoint as `video`, --json, MP4 read back
#                   (ftyp first, H.264, size, frames, a decoded picture) with the jar's Mp4Probe;
#                   and as a uid without a passwd entry in its own folder (docker run --user)
#   serve-*         stand-alone serve on a free HTTPD_PORT: the config's Healthcheck command run
#                   inside the container (nsenter) passes, the endpoint answers 200 (also to the
#                   image's /usr/local/bin/check, JumpServer installers' probe), the JVM runs
#                   as video, the data folder /opt/video/data is filled
#   jumpserver-*    a bind mount at /opt/video-worker/data is used instead
#   rootvol-*       a volume that video cannot write: the service stays root and says so
#   *-sigterm       SIGTERM to PID 1 ends the container within 20 s (exit 0 or 143), data kept
# Each check prints "PASS name" or "FAIL name: why"; the last line is "image: N passed, M failed".
# Needs root (chroot, namespaces) and a JDK on the host (the MP4 check). Installs jq and skopeo
# with apt-get when missing. A foreign-architecture archive runs under qemu-user (slow).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
archive="${1:?usage: $0 IMAGE.tar}"
[ -f "$archive" ] || { echo "test.sh: no archive at $archive" >&2; exit 2; }
archive="$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")"
[ "$(id -u)" = 0 ] || { echo "test.sh: needs root (chroot, namespaces)" >&2; exit 2; }
sample="$repo/samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz"
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive

need=()
command -v jq >/dev/null || need+=(jq)
command -v skopeo >/dev/null || need+=(skopeo)
if [ ${#need[@]} -gt 0 ]; then
    echo "test.sh: installing ${need[*]}" >&2
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi

passed=0 failed=0
pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1: $2"
    failed=$((failed + 1))
}
check() { # NAME WHY-IF-NOT COMMAND...
    local name="$1" why="$2"
    shift 2
    if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}

# ---- temporary folder, processes, mounts: all undone on every exit path ----
tmp="$(mktemp -d "$(dirname "$archive")/.image-test.XXXXXX")"
root="$tmp/rootfs"
pids=() # unshare processes started here
mounts_under() { # mount points below $1 in this (the host's) mount namespace
    awk -v p="$1/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
summarised=""
cleanup() {
    local p m
    # an early exit (an unreadable archive) still ends with the summary line
    [ -n "$summarised" ] || echo "image: $passed passed, $failed failed"
    for p in "${pids[@]}"; do
        if kill -0 "$p" 2>/dev/null; then
            kill -KILL $(children "$p") "$p" 2>/dev/null
            wait "$p" 2>/dev/null
        fi
    done
    # the mounts live in the containers' own mount namespaces and end with them; should anything
    # still be mounted below the folder here, unmount it before removing anything
    for m in $(mounts_under "$tmp"); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    if [ -n "$(mounts_under "$tmp")" ]; then
        echo "test.sh: still mounted below $tmp, left in place: $(mounts_under "$tmp" | xargs)" >&2
    else
        rm -rf --one-file-system "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

children() { # host PIDs whose parent is $1 (the kernel's list ends with a space: word-split it)
    local c
    c="$(cat "/proc/$1/task/$1/children" 2>/dev/null)"
    echo $c
}

# ---- 1. the archive, as docker load reads it ----
mkdir -p "$tmp/archive" "$root"
tar -xf "$archive" -C "$tmp/archive" || { fail archive-unpack "tar could not read $archive"; exit 1; }
manifest="$tmp/archive/manifest.json"
if [ "$(jq 'length' "$manifest" 2>/dev/null)" = 1 ]; then
    pass archive-manifest
else
    fail archive-manifest "manifest.json is not a one-image array"
    exit 1
fi
config_name="$(jq -r '.[0].Config' "$manifest")"
config="$tmp/archive/$config_name"
mapfile -t layers < <(jq -r '.[0].Layers[]' "$manifest")
mapfile -t diff_ids < <(jq -r '.rootfs.diff_ids[]' "$config")
tags="$(jq -r '.[0].RepoTags | join(" ")' "$manifest")"
arch="$(jq -r '.architecture' "$config")"
echo "image: $tags, $arch, ${#layers[@]} layers, $(($(stat -c %s "$archive") / 1048576)) MB"
check archive-config-digest "the config's sha256 is not its name $config_name" \
    test "$(sha256sum "$config" | cut -d' ' -f1).json" = "$(basename "$config_name")"
ok=1
[ "${#layers[@]}" = "${#diff_ids[@]}" ] || ok=0
for i in "${!layers[@]}"; do
    [ "sha256:$(sha256sum "$tmp/archive/${layers[$i]}" | cut -d' ' -f1)" = "${diff_ids[$i]:-}" ] || ok=0
done
check archive-diff-ids "the layers' sha256 are not the config's rootfs.diff_ids" test "$ok" = 1
if skopeo_out="$(skopeo inspect "docker-archive:$archive" 2>&1)" \
    && [ "$(jq -r '.Architecture + "/" + .Os' <<<"$skopeo_out")" = "$arch/linux" ] \
    && [ "$(jq '.Layers | length' <<<"$skopeo_out")" = "${#layers[@]}" ]; then
    pass archive-skopeo
else
    fail archive-skopeo "skopeo inspect docker-archive: $(head -c 300 <<<"$skopeo_out")"
fi

# layers in order; a layer's whiteouts (.wh.NAME, .wh..wh..opq) remove what lower layers put there
for layer in "${layers[@]}"; do
    while IFS= read -r name; do
        name="${name#./}"
        base="${name##*/}" dir="${name%/*}"
        [ "$dir" = "$name" ] && dir=.
        case "$base" in
            .wh..wh..opq) find "$root/$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} + ;;
            .wh.*) rm -rf "${root:?}/$dir/${base#.wh.}" ;;
        esac
    done < <(tar -tf "$tmp/archive/$layer" | grep -F '.wh.')
    tar -xf "$tmp/archive/$layer" -C "$root" --numeric-owner --same-owner --same-permissions --exclude='.wh.*' \
        || fail archive-layers "could not extract $layer"
done
rm -rf "$tmp/archive/"*/ # the layers are unpacked; keep the config
mapfile -t image_env < <(jq -r '.config.Env[]?' "$config")
mapfile -t entrypoint < <(jq -r '.config.Entrypoint[]?' "$config")
workdir="$(jq -r '.config.WorkingDir // "/"' "$config")"
mapfile -t health < <(jq -r '.config.Healthcheck.Test[]?' "$config")
video_uid="$(awk -F: '$1 == "video" { print $3 }' "$root/etc/passwd")"
check image-user "no user video in /etc/passwd" test -n "$video_uid"
check image-healthcheck "config.Healthcheck.Test is not a CMD-SHELL curl of /video-worker/health/" \
    test "${health[0]:-}" = CMD-SHELL -a -n "$(grep -F 'curl' <<<"${health[1]:-}" | grep -F '/video-worker/health/')"
# What docker adds to a container: /etc/hosts, /etc/resolv.conf, /etc/hostname (bind mounts there)
cp /etc/hosts /etc/resolv.conf "$root/etc/" 2>/dev/null
hostname >"$root/etc/hostname"

# slower under qemu-user
slow=1
[ "$arch" = "$(dpkg --print-architecture)" ] || slow=10

# Runs the image in the background like `docker run`: ENV... then the arguments after --.
# $bind_data (a host folder) is mounted at /opt/video-worker/data; $userspec (uid:gid) is
# `docker run --user`, $cwd `docker run -w`. Sets $cpid (unshare's PID).
start() { # LOG [ENV=VALUE...] -- ARGS...
    local log="$1" env=()
    shift
    while [ "$1" != -- ]; do env+=("$1"); shift; done
    shift
    env -i "${image_env[@]}" "${env[@]}" \
        unshare --pid --fork --mount --propagation private --mount-proc="$root/proc" \
        /bin/sh -c '
            root="$1" bind="$2" workdir="$3" user="$4"; shift 4
            mount --rbind /dev "$root/dev" || exit 125
            if [ -n "$bind" ]; then mkdir -p "$root/opt/video-worker/data" && mount --bind "$bind" "$root/opt/video-worker/data" || exit 125; fi
            exec chroot ${user:+--userspec="$user"} "$root" /usr/bin/env -C "$workdir" "$@"' \
        sh "$root" "${bind_data:-}" "${cwd:-$workdir}" "${userspec:-}" "${entrypoint[@]}" "$@" >"$log" 2>&1 &
    cpid=$!
    pids+=("$cpid")
}
# Runs a command inside the running container $cpid, as `docker exec` (its namespaces, root, env).
in_container() {
    local init
    init="$(children "$cpid")"
    env -i "${image_env[@]}" "${exec_env[@]}" nsenter --target "$init" --mount --pid --root --wd "$@"
}
java_pid() { # the JVM: tini's child
    local init c
    init="$(children "$cpid")"
    [ -n "$init" ] || return 1
    for c in $(children "$init"); do
        [ "$(cat "/proc/$c/comm" 2>/dev/null)" = java ] && { echo "$c"; return 0; }
    done
    return 1
}
uid_of() {
    awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}
show_log() {
    echo "---- $1 (last lines) ----"
    tail -n 15 "$1"
    echo "----"
}

# ---- 2. convert the sample as video ----
mkdir -p "$root/tmp/sample" "$root/tmp/out"
chmod 0777 "$root/tmp/out"
cp "$sample" "$root/tmp/sample/"
log="$tmp/convert.log"
t0=$(date +%s)
bind_data=""
start "$log" -- convert /tmp/sample/vnc-desktop-30s.replay.gz -o /tmp/out/vnc-desktop-30s.mp4 --json
if timeout $((300 * slow)) tail --pid="$cpid" -f /dev/null; then
    wait "$cpid"
    code=$?
else
    kill -KILL $(children "$cpid") "$cpid" 2>/dev/null
    wait "$cpid"
    code=timeout
fi
convert_s=$(($(date +%s) - t0))
mp4="$root/tmp/out/vnc-desktop-30s.mp4"
json="$(grep -m1 '^{' "$log")"
echo "convert: exit $code in ${convert_s} s: $json"
if [ "$code" = 0 ] && [ -n "$json" ]; then pass convert-exit; else fail convert-exit "exit $code"; show_log "$log"; fi
check convert-json "--json does not say 1024x768 with frames > 0" \
    test "$(jq -r '"\(.width)x\(.height) \(.frames > 0)"' <<<"${json:-{\}}" 2>/dev/null)" = "1024x768 true"
check convert-as-video "the MP4 is owned by uid $(stat -c %u "$mp4" 2>/dev/null), not video ($video_uid)" \
    test "$(stat -c %u "$mp4" 2>/dev/null)" = "$video_uid"
check convert-natives-cache "JavaCPP did not unpack the natives into video's home (/home/video/.javacpp/cache)" \
    test -n "$(find "$root/home/video/.javacpp/cache" -name 'libjniavcodec.so' -user "$video_uid" 2>/dev/null)"
check convert-ftyp "the MP4 does not start with an ftyp box" test "$(head -c 8 "$mp4" 2>/dev/null | tail -c 4)" = ftyp
# read it back with FFmpeg through the jar's own Mp4Probe (the host's JDK; the jar's natives)
cat >"$tmp/Probe.java" <<'EOF'
import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

public class Probe {
    public static void main(String[] args) {
        try (Mp4Probe probe = Mp4Probe.open(Path.of(args[0]))) {
            Mp4Info i = probe.info();
            BufferedImage middle = probe.frameAt(i.videoDurationMs() / 2);
            System.out.println(i.videoCodec() + " " + i.width() + "x" + i.height() + " " + i.videoFrames()
                    + " " + i.topLevelBoxes().get(0) + " " + middle.getWidth() + "x" + middle.getHeight());
        }
    }
}
EOF
probe="$(java -Djava.awt.headless=true -Dorg.bytedeco.javacpp.cachedir="$tmp/javacpp" \
    -cp "$root/opt/video-worker/video-worker.jar" "$tmp/Probe.java" "$mp4" 2>&1 | tail -n 1)"
frames="$(jq -r '.frames' <<<"${json:-{\}}" 2>/dev/null)"
check convert-playable "Mp4Probe read: $probe" test "$probe" = "h264 1024x768 $frames ftyp 1024x768"

# docker run --user 4321:4321 -w /work: any uid, no passwd entry, its own folder
mkdir -p "$root/work"
cp "$sample" "$root/work/"
chown -R 4321:4321 "$root/work"
log="$tmp/convert-any-uid.log"
userspec=4321:4321 cwd=/work
start "$log" -- convert vnc-desktop-30s.replay.gz -o out.mp4 --json
userspec="" cwd=""
timeout $((300 * slow)) tail --pid="$cpid" -f /dev/null
wait "$cpid"
code=$?
check convert-any-uid "exit $code, or no out.mp4 of uid 4321 in the working folder, or stray files there: $(ls -A "$root/work" | xargs)" \
    test "$code" = 0 -a "$(stat -c %u "$root/work/out.mp4" 2>/dev/null)" = 4321 -a "$(ls -A "$root/work" | xargs)" = "out.mp4 vnc-desktop-30s.replay.gz"
[ "$code" = 0 ] || show_log "$log"

# ---- 3. serve: stand-alone, health check, user, data folder, SIGTERM ----
# serve NAME DATA_IN_ROOT EXPECTED_UID [ENV...]: one container run with its checks
serve() {
    local name="$1" data="$2" want_uid="$3" port jp code t1 body
    shift 3
    port="$(free_port)"
    exec_env=("HTTPD_PORT=$port")
    log="$tmp/$name.log"
    touch "$tmp/$name.start"
    start "$log" "HTTPD_PORT=$port" "$@" -- serve
    # the image's own health check, inside the container, until it passes (docker's start period)
    local deadline=$(($(date +%s) + 90 * slow)) healthy=""
    while [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$cpid" 2>/dev/null; do
        if [ -n "$(children "$cpid")" ] && in_container /bin/sh -c "${health[1]}" >/dev/null 2>&1; then
            healthy=1
            break
        fi
        sleep 1
    done
    if [ -n "$healthy" ]; then pass "$name-healthcheck"; else fail "$name-healthcheck" "the config's health check never passed on port $port"; show_log "$log"; fi
    code="$(in_container curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/video-worker/health/" 2>/dev/null)"
    body="$(in_container curl -s "http://localhost:$port/video-worker/health/" 2>/dev/null)"
    check "$name-health-200" "GET /video-worker/health/ answered ${code:-nothing}: $body" \
        test "$code" = 200 -a -n "$(jq -r '.uptime // empty' <<<"$body" 2>/dev/null)"
    # JumpServer's newer installers: `check URL`, which wants exactly 200
    check "$name-check-cmd" "/usr/local/bin/check of the health URL failed inside the container" \
        in_container check "http://localhost:$port/video-worker/health/"
    jp="$(java_pid)"
    check "$name-user" "the JVM (pid ${jp:-none}) runs as uid $(uid_of "${jp:-0}"), not $want_uid" \
        test -n "$jp" -a "$(uid_of "${jp:-0}")" = "$want_uid"
    # the container's own view of its files (its mount namespace): /proc/PID/root
    check "$name-data-dir" "DATA_DIR=$data was not filled (keys/access_keys, tasks/)" \
        test -f "/proc/${jp:-0}/root$data/keys/access_keys" -a -d "/proc/${jp:-0}/root$data/tasks"
    check "$name-data-env" "the JVM's DATA_DIR is not $data" \
        grep -qxF "DATA_DIR=$data" <(tr '\0' '\n' <"/proc/${jp:-0}/environ" 2>/dev/null)
    # docker stop: SIGTERM to PID 1 (tini), which forwards it to the JVM
    t1=$(date +%s)
    kill -TERM "$(children "$cpid")" 2>/dev/null
    if timeout 20 tail --pid="$cpid" -f /dev/null; then
        wait "$cpid"
        code=$?
        check "$name-sigterm" "exit code $code after SIGTERM (want 0 or 143)" test "$code" = 0 -o "$code" = 143
        echo "$name: stopped by SIGTERM in $(($(date +%s) - t1)) s, exit $code"
    else
        fail "$name-sigterm" "still running 20 s after SIGTERM"
        show_log "$log"
        kill -KILL $(children "$(children "$cpid")") $(children "$cpid") "$cpid" 2>/dev/null
        wait "$cpid"
    fi
    # what stays on the host: the bound folder, or the image's /opt/video/data
    local kept="$root$data"
    [ -n "${bind_data:-}" ] && kept="$bind_data"
    check "$name-data-kept" "$kept lost its keys/access_keys with the stop" test -f "$kept/keys/access_keys"
}

bind_data=""
serve serve /opt/video/data "$video_uid"

# JumpServer's installer mounts /opt/video-worker/data: a new, root-owned, empty folder
bind_data="$tmp/jumpserver-data"
mkdir -m 0755 "$bind_data"
serve jumpserver /opt/video-worker/data "$video_uid"
check jumpserver-volume "the bound host folder holds no keys/access_keys, or is not owned by video" \
    test -f "$bind_data/keys/access_keys" -a "$(stat -c %u "$bind_data")" = "$video_uid"
check jumpserver-image-dir-unused "the service also wrote to /opt/video/data during that run" \
    test -z "$(find "$root/opt/video/data" -newer "$tmp/jumpserver.start" -print -quit)"

# A volume video cannot write (another uid's, not empty): the service stays root and says why
bind_data="$tmp/foreign-data"
mkdir -m 0755 "$bind_data"
touch "$bind_data/existing"
chown -R 4242:4242 "$bind_data"
serve rootvol /opt/video-worker/data 0
check rootvol-says-why "no 'running as root' line in the log" grep -q "running as root: /opt/video-worker/data is not writable by uid $video_uid" "$tmp/rootvol.log"
bind_data=""

echo "image: tested $tags ($arch) in $(($(date +%s) - started)) s"
echo "image: $passed passed, $failed failed"
summarised=1
[ "$failed" = 0 ]
