-- MediaNest backend stand-in (tests/rig), release v2: tags on records (routes
-- /api/v1/records/<id>/tags). Plain SQL as Prisma writes it: no transaction control, not idempotent.

-- CreateTable
CREATE TABLE "rig_record_tags" (
    "record_id" BIGINT NOT NULL,
    "tag" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rig_record_tags_pkey" PRIMARY KEY ("record_id","tag")
);

-- CreateIndex
CREATE INDEX "rig_record_tags_tag_idx" ON "rig_record_tags"("tag");

-- AddForeignKey
ALTER TABLE "rig_record_tags" ADD CONSTRAINT "rig_record_tags_record_id_fkey" FOREIGN KEY ("record_id") REFERENCES "rig_records"("id") ON DELETE CASCADE ON UPDATE CASCADE;
