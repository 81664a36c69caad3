# Jeco server image: builds the web app and runs the sync server on port 8080.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production JECO_DATA_DIR=/data JECO_STATIC_DIR=/app/dist
COPY --from=build /app /app
VOLUME /data
EXPOSE 8080
# Ready = the store and Redis answer (a balancer routes by the same check).
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself is PID 1 (no npx or shell in between), so SIGTERM from `docker stop`
# reaches the server, which drains and exits 0 (sync-server/src/main.ts).
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "sync-server/src/main.ts"]
