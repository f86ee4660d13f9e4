# syntax=docker/dockerfile:1
# One image for every role: single mode by default, a scaled service by command, e.g.
#   docker run kalla node services/runs/src/server.ts
# Each process runs its TypeScript code bundled into one file (libs/launch); the web console is built with Vite.
ARG NODE_IMAGE=node:24-slim

# Only the package manifests, so the dependency layer is rebuilt when dependencies change, not on every edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -path ./node_modules -prune -o \( -name package.json -o -name package-lock.json \) -print \
  | xargs cp --parents -t /manifests

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
# Production dependencies of every workspace; no package needs an install script (DuckDB's bindings
# ship prebuilt per platform inside their npm packages).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# NODE_COMPILE_CACHE: Node keeps what it compiles (and the TypeScript it strips) in /tmp, the one
# writable directory besides the data: every process after the first in a container starts faster.
ENV HOST=0.0.0.0 \
    KALLA_DATA_DIR=/var/lib/kalla \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache
WORKDIR /app
# Code and dependencies stay owned by root, read-only to the process; only the data directory is writable.
COPY --from=deps /app ./
COPY . .
# Vite bundles the web console into console/dist, which the gateway serves at /; every process's code is
# bundled too (into node_modules/.cache/kalla-launch), so the read-only tree starts from current bundles.
RUN node console/scripts/build.ts \
 && node libs/launch/src/build-all.ts \
 && mkdir -p /var/lib/kalla/work && chown -R node:node /var/lib/kalla
USER node
EXPOSE 4000
# Liveness only (the role's PORT, 4000 by default); orchestrators probe /readyz for readiness.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT ?? 4000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/single/src/server.ts"]
