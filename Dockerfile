# syntax=docker/dockerfile:1
# Multi-stage image for both processes (API: `npm run start:api`, worker: `npm run start:worker`).
#   CPU (default):  docker build -t maml-service .
#   GPU (CUDA 11.8, what tfjs-node-gpu 4.22 links against):
#     docker build -t maml-service:gpu --build-arg TFJS_PACKAGE=@tensorflow/tfjs-node-gpu \
#       --build-arg RUNTIME_BASE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 .
# TFJS_PACKAGE picks the TensorFlow.js backend package installed into the image (empty: wasm only).
ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_BASE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# gcc builds the native kernels the wasm backend uses (src/kernels, native/kernels).
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/build-kernels.mjs ./scripts/
COPY native/kernels ./native/kernels
# Production dependencies only; postinstall generates the Prisma client into src/generated
# and builds native/build/maml_kernels.node (checked strictly on the next line).
RUN npm ci --omit=dev && node scripts/build-kernels.mjs --strict
ARG TFJS_PACKAGE=@tensorflow/tfjs-node
# The backend package downloads libtensorflow in its install script (the build has internet).
RUN if [ -n "$TFJS_PACKAGE" ]; then npm install --no-save --omit=dev --foreground-scripts "$TFJS_PACKAGE@4.22.0"; fi

# The web console (web/ → dist/web): Vite is a dev dependency, so it builds in a stage of its own
# (no install scripts: the build needs neither Prisma's client nor the native kernels).
FROM ${NODE_IMAGE} AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY vite.config.ts tsconfig.json openapi.yaml ./
COPY web ./web
COPY clients ./clients
RUN npm run build

FROM ${RUNTIME_BASE} AS runtime
# The node binary of the build stage (the CUDA base image has none of its own).
COPY --from=deps /usr/local/bin/node /usr/local/bin/node
RUN (getent group app || groupadd --system app) && (id -u app || useradd --system --gid app --home-dir /app app) \
  && mkdir -p /data/weights /data/cache /data/omniglot && chown -R app:app /data
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 \
    WEIGHTS_DIR=/data/weights CACHE_DIR=/data/cache OMNIGLOT_DIR=/data/omniglot
COPY --from=deps --chown=app:app /app/node_modules ./node_modules
COPY --chown=app:app package.json package-lock.json prisma.config.ts tsconfig.json openapi.yaml ./
COPY --chown=app:app prisma ./prisma
COPY --chown=app:app --from=deps /app/src/generated ./src/generated
COPY --chown=app:app --from=deps /app/native/build ./native/build
COPY --chown=app:app src ./src
COPY --chown=app:app scripts ./scripts
COPY --chown=app:app models ./models
COPY --chown=app:app cli ./cli
COPY --chown=app:app clients ./clients
COPY --chown=app:app --from=web /app/dist/web ./dist/web
# The command-line client inside the image: docker compose exec api maml models
RUN ln -s /app/cli/maml.mjs /usr/local/bin/maml
USER app
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Runs TypeScript through tsx (a production dependency); no separate build step.
CMD ["node", "--import", "tsx", "src/server.ts"]
