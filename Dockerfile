# One image per service, from one multi-stage build: docker build --build-arg SERVICE=accounts .
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
RUN npx tsc -p tsconfig.json --noEmit && node scripts/build.mjs && npm prune --omit=dev

FROM node:24-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Accounts keeps families' documents here (a volume in docker-compose.yml), owned by the runtime user.
RUN mkdir -p /var/lib/guichet/documents && chown node:node /var/lib/guichet/documents
USER node
CMD ["sh", "-c", "exec node --enable-source-maps dist/apps/${SERVICE}/src/main.js"]
