-- CreateEnum
CREATE TYPE "DatasetStatus" AS ENUM ('processing', 'ready', 'failed');

-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "error" JSONB,
ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "status" "DatasetStatus" NOT NULL DEFAULT 'ready',
ALTER COLUMN "layout" DROP NOT NULL,
ALTER COLUMN "classes" DROP NOT NULL,
ALTER COLUMN "images" DROP NOT NULL,
ALTER COLUMN "minImagesPerClass" DROP NOT NULL,
ALTER COLUMN "maxImagesPerClass" DROP NOT NULL,
ALTER COLUMN "artifactSha256" DROP NOT NULL,
ALTER COLUMN "artifactBytes" DROP NOT NULL;

