-- CreateEnum
CREATE TYPE "DatasetLayout" AS ENUM ('folders', 'omniglot');

-- CreateTable
CREATE TABLE "Dataset" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "layout" "DatasetLayout" NOT NULL,
    "classes" INTEGER NOT NULL,
    "images" INTEGER NOT NULL,
    "minImagesPerClass" INTEGER NOT NULL,
    "maxImagesPerClass" INTEGER NOT NULL,
    "artifactSha256" CHAR(64) NOT NULL,
    "artifactBytes" BIGINT NOT NULL,
    "preprocessing" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Dataset_createdAt_idx" ON "Dataset"("createdAt");

