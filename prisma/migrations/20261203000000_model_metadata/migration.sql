-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "metadata" JSONB;

