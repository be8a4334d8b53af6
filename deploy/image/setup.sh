#!/bin/sh
# Prepares the image's root filesystem after the packages of packages.txt are installed. Run as
# root inside the image: by the Dockerfile (RUN) and by build.sh (chroot), so both images get the
# same user and folders.
set -eu
VIDEO_UID=10001
VIDEO_GID=10001
# The service's user: fixed ids so a host folder can be chowned for it (docs/deployment.md). Its
# group is video-worker: Debian's base-passwd already has a group "video" (gid 44, for /dev/video*).
groupadd --gid "$VIDEO_GID" video-worker
useradd --uid "$VIDEO_UID" --gid "$VIDEO_GID" --home-dir /home/video --no-create-home \
        --shell /usr/sbin/nologin --comment "video-worker" video
# A writable home: JavaCPP unpacks the FFmpeg natives into ~/.javacpp/cache once, and the
# service's conversion JVMs (children, same user) find them there.
install -d -m 0750 -o "$VIDEO_UID" -g "$VIDEO_GID" /home/video
# /opt/video-worker: jar and entrypoint, root-owned. /opt/video/data: the default data folder (the
# vendor's volume); owned by video so that a named volume starts out writable for it.
install -d -m 0755 -o root -g root /opt/video-worker
install -d -m 0755 -o root -g root /opt/video
install -d -m 0755 -o "$VIDEO_UID" -g "$VIDEO_GID" /opt/video/data
# The JRE's class data sharing archive is already in the package; nothing else to warm up.
