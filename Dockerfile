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
CMD ["npx", "tsx", "sync-server/src/main.ts"]
