# syntax=docker/dockerfile:1.7
# redactd container image: a Rust build stage and a distroless runtime with
# no shell, no package manager, running as the non-root user 65532.
#
#   docker build -t redactd:0.1.0 .
#   docker run --rm -p 9464:9464 -v "$PWD/redactd.yaml:/etc/redactd/config/redactd.yaml:ro" \
#     redactd:0.1.0 run --config /etc/redactd/config/redactd.yaml

ARG RUST_VERSION=1.85
ARG DEBIAN=bookworm

# ---- build --------------------------------------------------------------
FROM rust:${RUST_VERSION}-${DEBIAN} AS build
# gcc, make, perl and zlib for the vendored librdkafka (rdkafka's build
# script); no cmake needed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential perl zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The cargo registry and target dir are BuildKit cache mounts, so a source
# change neither refetches the crates nor rebuilds librdkafka.
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY patterns ./patterns
COPY benches ./benches
COPY examples ./examples
COPY tests ./tests
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin redactd \
 && install -D -m 0755 target/release/redactd /out/redactd \
 && install -D -m 0644 "$(ldconfig -p | awk '/libz\.so\.1 /{print $NF; exit}')" /out/lib/libz.so.1

# ---- runtime ------------------------------------------------------------
# distroless/cc: glibc, libgcc, libssl and CA certificates, nothing else
# (no shell: nothing in the image needs one at run time).
FROM gcr.io/distroless/cc-debian12:nonroot
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="redactd" \
      org.opencontainers.image.description="Streaming PII / PHI / secrets sanitizer for Kafka-fed ML training data" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="redactd"
COPY --from=build /out/redactd /usr/local/bin/redactd
# The vendored librdkafka links zlib dynamically (`ldd redactd`: libz.so.1,
# libgcc_s, libm, libc); distroless/cc has all but zlib.
COPY --from=build /out/lib/libz.so.1 /usr/lib/libz.so.1
# 65532 = distroless "nonroot"; the Helm chart runs as the same ids.
USER 65532:65532
# /metrics, /healthz, /readyz (metrics.listen).
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/redactd"]
CMD ["run", "--config", "/etc/redactd/config/redactd.yaml"]
