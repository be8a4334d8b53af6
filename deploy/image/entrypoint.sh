#!/bin/sh
# Entrypoint of the video-worker image (POSIX sh; runs under tini, which forwards SIGTERM).
#
#   entrypoint.sh serve            the JumpServer Video-Worker service (the image's CMD)
#   entrypoint.sh convert ARGS     the converter (video-worker convert)
#   entrypoint.sh help | --help    the jar's own help
#   entrypoint.sh CMD ARGS         anything else is run as it is (sh, a debugging shell, ...)
#
# 1. The data folder (DATA_DIR): a DATA_DIR set to anything but the image's default wins; else,
#    if /opt/video-worker/data is a mount point (what JumpServer's installer mounts) and
#    /opt/video/data is not, that one; else /opt/video/data (the vendor guide's volume).
# 2. The user: started as root, the folder is given to `video` (uid 10001) when it is root's and
#    empty (a new volume), and the JVM runs as `video` whenever that user can write the folder;
#    otherwise one log line says why it stays root. Started as another user, nothing changes.
# 3. exec java $JAVA_OPTS -jar /opt/video-worker/video-worker.jar "$@": the JVM replaces this
#    shell, so tini's SIGTERM reaches it and its exit code is the container's.
set -eu

JAR=/opt/video-worker/video-worker.jar
IMAGE_DATA_DIR=/opt/video/data
JUMPSERVER_DATA_DIR=/opt/video-worker/data
VIDEO_USER=video
# The service itself needs little heap (conversions run in their own JVMs, up to 512m each);
# a lazily grown heap keeps RSS low; a JVM that ran out of memory is better restarted
# (restart: always) than left half-alive.
: "${JAVA_OPTS:=-Xms32m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}"

log() {
    echo "entrypoint: $*" >&2
}

# Is $1 a mount point? Field 5 of /proc/self/mountinfo is the mount point as this process sees it.
is_mount_point() {
    [ -r /proc/self/mountinfo ] && awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

case "${1:-}" in
    serve | convert | help | -*) ;;
    "") set -- serve ;;
    *) exec "$@" ;;
esac

data="${DATA_DIR:-}"
if [ -z "$data" ] || { [ "$data" = "$IMAGE_DATA_DIR" ] && ! is_mount_point "$IMAGE_DATA_DIR"; }; then
    if is_mount_point "$JUMPSERVER_DATA_DIR"; then
        data="$JUMPSERVER_DATA_DIR"
    else
        data="$IMAGE_DATA_DIR"
    fi
fi
export DATA_DIR="$data"

set -f # JAVA_OPTS is split into words, never globbed
if ! id -un >/dev/null 2>&1; then
    # a uid without a passwd entry (docker run --user 1234): the JVM's user.home would be "?",
    # and JavaCPP would unpack its natives into ./?/.javacpp
    JAVA_OPTS="$JAVA_OPTS -Duser.home=/tmp"
fi
if [ "$(id -u)" = 0 ] && video_uid="$(id -u "$VIDEO_USER" 2>/dev/null)"; then
    video_gid="$(id -g "$VIDEO_USER")"
    mkdir -p "$data"
    if [ "$(stat -c %u "$data")" = 0 ] && [ -z "$(ls -A "$data")" ]; then
        chown "$video_uid:$video_gid" "$data" # a new or empty volume: it becomes video's
    fi
    as_video="setpriv --reuid=$video_uid --regid=$video_gid --clear-groups --no-new-privs"
    # can video create a file there? (owner, mode, ACLs, read-only mounts, root-squashing NFS)
    if $as_video sh -c 't="$1/.entrypoint-write-test.$$"; : >"$t" && rm -f "$t"' sh "$data" 2>/dev/null; then
        export HOME=/home/video USER="$VIDEO_USER" LOGNAME="$VIDEO_USER"
        # shellcheck disable=SC2086
        exec $as_video java $JAVA_OPTS -jar "$JAR" "$@"
    fi
    log "running as root: $data is not writable by uid $video_uid ($VIDEO_USER); chown -R $video_uid:$video_gid it to run unprivileged"
fi
# shellcheck disable=SC2086
exec java $JAVA_OPTS -jar "$JAR" "$@"
