-- MediaNest backend stand-in (tests/rig), release v2-badmigration: a migration that fails midway.
-- The first two statements succeed; the index names a column that does not exist ("colour": the
-- column is "color"), so PostgreSQL stops there with: column "colour" does not exist. Run without a
-- transaction it leaves "rig_tag_colors" and "rig_record_tags"."color" behind; in one, nothing.

-- CreateTable
CREATE TABLE "rig_tag_colors" (
    "tag" TEXT NOT NULL,
    "color" TEXT NOT NULL,

    CONSTRAINT "rig_tag_colors_pkey" PRIMARY KEY ("tag")
);

-- AlterTable
ALTER TABLE "rig_record_tags" ADD COLUMN "color" TEXT;

-- CreateIndex
CREATE INDEX "rig_record_tags_colour_idx" ON "rig_record_tags"("colour");

-- CreateIndex
CREATE INDEX "rig_tag_colors_color_idx" ON "rig_tag_colors"("color");
