-- MediaNest backend stand-in (tests/rig): named like MediaNest's third migration.

-- AlterTable
ALTER TABLE "users" ADD COLUMN "password_hash" TEXT;
