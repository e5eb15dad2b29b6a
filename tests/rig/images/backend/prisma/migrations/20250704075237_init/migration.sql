-- MediaNest backend stand-in (tests/rig): the tables the stand-in uses, named like MediaNest's first
-- migration. Plain SQL as Prisma writes it: no transaction control, not idempotent.

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "plex_id" TEXT,
    "plex_username" TEXT,
    "email" TEXT,
    "role" TEXT NOT NULL DEFAULT 'user',
    "plex_token" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_config" (
    "id" SERIAL NOT NULL,
    "service_name" TEXT NOT NULL,
    "service_url" TEXT NOT NULL,
    "api_key" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "config_data" JSONB,

    CONSTRAINT "service_config_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rig_records" (
    "id" BIGSERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "body" JSONB NOT NULL DEFAULT '{}'::jsonb,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rig_records_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_plex_id_key" ON "users"("plex_id");

-- CreateIndex
CREATE UNIQUE INDEX "service_config_service_name_key" ON "service_config"("service_name");
