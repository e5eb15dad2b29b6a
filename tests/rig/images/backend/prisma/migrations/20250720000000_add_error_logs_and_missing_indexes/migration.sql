-- MediaNest backend stand-in (tests/rig): named like MediaNest's second migration.

-- CreateTable
CREATE TABLE "error_logs" (
    "id" TEXT NOT NULL,
    "correlation_id" TEXT,
    "user_id" TEXT,
    "error_code" TEXT,
    "message" TEXT NOT NULL,
    "status_code" INTEGER,
    "metadata" JSONB,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "error_logs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "error_logs_created_at_idx" ON "error_logs"("created_at");

-- CreateIndex
CREATE INDEX "error_logs_user_id_idx" ON "error_logs"("user_id");

-- CreateIndex (missing from the initial migration)
CREATE INDEX "rig_records_created_at_idx" ON "rig_records"("created_at");
