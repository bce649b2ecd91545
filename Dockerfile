# The service's image: compiled JavaScript (dist/) run by node directly, for the API
# (`node dist/src/api/server.js`, the default command), the worker (`node dist/src/worker/worker.js`), the
# migration (`node dist/scripts/migrate.js`), keys (`node dist/scripts/keys-create.js`) and the CLI
# (`maml`). Only what runs is shipped: dist/, pruned production node_modules, migrations, the
# shipped models (models/manifest.json and the files it names), the native kernels.
#   CPU (default):  docker build -t maml-service .
#   wasm only (no libtensorflow download):  docker build --build-arg TFJS_PACKAGE= -t maml-service .
#   GPU (docker-compose.gpu.yml): tfjs-node-gpu 4.22 pins libtensorflow 2.9.1, built for CUDA 11.2
#   and cuDNN 8.1, on a CUDA runtime base without node (node is then copied in):
#     docker build -t maml-service:gpu --build-arg TFJS_PACKAGE=@tensorflow/tfjs-node-gpu \
#       --build-arg RUNTIME_BASE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 --build-arg RUNTIME_HAS_NODE=false .
# Builds with the classic builder too (DOCKER_BUILDKIT=0): no frontend image to pull.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_BASE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# gcc builds the native kernels the wasm backend uses (src/kernels, native/kernels).
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/build-kernels.mjs ./scripts/
COPY native/kernels ./native/kernels
# Every dependency (the build needs TypeScript and Vite); postinstall generates the Prisma client
# into src/generated and builds native/build/maml_kernels.node (checked strictly).
RUN npm ci && node scripts/build-kernels.mjs --strict
COPY tsconfig.json tsconfig.build.json vite.config.ts openapi.yaml ./
COPY src ./src
COPY cli ./cli
COPY clients ./clients
COPY web ./web
COPY scripts/build-server.mjs scripts/prune-node-modules.mjs scripts/migrate.ts scripts/keys-create.ts ./scripts/
# The console (dist/web) and the server, CLI and scripts (dist/src, dist/cli, dist/scripts).
RUN npm run build
ARG TFJS_PACKAGE=@tensorflow/tfjs-node
# Production dependencies only, then what runs of them. The backend package downloads libtensorflow
# in its install script (the build has internet).
RUN npm prune --omit=dev \
  && if [ -n "$TFJS_PACKAGE" ]; then npm install --no-save --omit=dev --foreground-scripts "$TFJS_PACKAGE@4.22.0"; fi \
  && node scripts/prune-node-modules.mjs
COPY models ./models
# The image's /app: nothing else from the build stage is shipped.
RUN mkdir -p /image/models /image/native /image/prisma \
  && cp -a package.json openapi.yaml dist node_modules /image/ \
  && cp -a prisma/migrations /image/prisma/ && cp -a native/build /image/native/ \
  && node -e "const fs=require('fs');const m=JSON.parse(fs.readFileSync('models/manifest.json','utf8'));fs.copyFileSync('models/manifest.json','/image/models/manifest.json');for(const e of m)for(const f of [e.file,e.metrics].filter(Boolean))fs.copyFileSync('models/'+f,'/image/models/'+f)"
# node for a runtime base without it (RUNTIME_HAS_NODE=false: the CUDA base); empty otherwise, so
# the CPU image never holds a second node binary over its base's.
ARG RUNTIME_HAS_NODE=true
RUN mkdir -p /node-extra/usr/local/bin \
  && if [ "$RUNTIME_HAS_NODE" = false ]; then cp /usr/local/bin/node /node-extra/usr/local/bin/node; fi

FROM ${RUNTIME_BASE} AS runtime
COPY --from=build /node-extra/ /
RUN node --version >/dev/null 2>&1 || { echo "no node in the runtime base: build with --build-arg RUNTIME_HAS_NODE=false" >&2; exit 1; } \
  && (getent group app || groupadd --system app) && (id -u app || useradd --system --gid app --home-dir /data app) \
  && mkdir -p /data/weights /data/cache /data/omniglot && chown -R app:app /data \
  && ln -s /app/dist/cli/main.js /usr/local/bin/maml
WORKDIR /app
# npm is never run by the services; settings for anyone who runs it in the container.
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 \
    WEIGHTS_DIR=/data/weights CACHE_DIR=/data/cache OMNIGLOT_DIR=/data/omniglot MODELS_DIR=/app/models \
    npm_config_update_notifier=false npm_config_cache=/tmp/.npm npm_config_fund=false
COPY --from=build /image/ /app/
COPY deploy/healthcheck.sh /usr/local/bin/maml-healthcheck
USER app
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 CMD ["maml-healthcheck"]
# node is PID 1 (exec form, no npm or shell between): SIGTERM reaches it and it stops gracefully.
CMD ["node", "dist/src/api/server.js"]
