# syntax=docker/dockerfile:1
# video-worker image: docker build -t video-worker:<version> .
# Multi-platform: docker buildx build --platform linux/amd64,linux/arm64 -t video-worker:<version> .
# (the jar is platform-independent: it carries the linux-x86_64 and linux-arm64 natives, so the
# build stage runs on the build host's own platform). Without a Docker daemon: deploy/image/build.sh
# builds the same image from the same package list, setup script and entrypoint (docs/deployment.md).

# ---- stage 1: the shaded jar (worker/target/video-worker.jar) ----
FROM --platform=$BUILDPLATFORM debian:bookworm-slim AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY guac guac
COPY encode encode
COPY worker worker
# ~/.m2 (Maven itself and the dependencies) is a BuildKit cache: a rebuild downloads nothing
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -DskipTests package

# ---- stage 2: the runtime ----
FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
COPY deploy/image/packages.txt deploy/image/setup.sh /tmp/image/
# man1 must exist: the JRE's postinst links java.1.gz there (slim images leave out the manuals)
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && sed -e 's/#.*//' /tmp/image/packages.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* \
 && sh /tmp/image/setup.sh \
 && rm -rf /tmp/image
COPY --from=build /src/worker/target/video-worker.jar /opt/video-worker/video-worker.jar
COPY deploy/image/entrypoint.sh /opt/video-worker/entrypoint.sh
COPY deploy/image/check /usr/local/bin/check
ENV DATA_DIR=/opt/video/data
WORKDIR /opt/video-worker
EXPOSE 9000
VOLUME /opt/video/data
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD curl -fsL http://localhost:${HTTPD_PORT:-9000}/video-worker/health/ || exit 1
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/video-worker/entrypoint.sh"]
CMD ["serve"]
