# syntax=docker/dockerfile:1

# Build stage: compile TypeScript and bundle the command, with the dev dependencies.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
# --ignore-scripts: `prepare` would build before the sources are copied in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
# The build bundles the command (dist/server.js) with this script after tsc.
COPY scripts/bundle-server.ts ./scripts/
RUN npm run build

# Runtime stage: production dependencies, compiled code and the bundled fixtures only.
FROM node:24.22.3-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="eloqua-bulk-mock" \
      org.opencontainers.image.description="A local stand-in for the Oracle Eloqua Bulk API 2.0, for tests and development" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY fixtures ./fixtures
COPY fixtures.schema.json ./
USER node
EXPOSE 8080
# Slim images have no curl; Node has fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/__mock/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Run node directly so SIGTERM reaches the server, which drains requests and exits 0.
CMD ["node", "dist/server.js"]
