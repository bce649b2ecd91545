-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ModelStatus" AS ENUM ('training', 'ready', 'archived');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "KeyRole" AS ENUM ('client', 'admin');

-- CreateTable
CREATE TABLE "Model" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "architecture" JSONB NOT NULL,
    "algorithm" TEXT NOT NULL,
    "nWay" INTEGER NOT NULL,
    "inputShape" INTEGER[],
    "weightsSha256" CHAR(64) NOT NULL,
    "weightsLocation" TEXT NOT NULL,
    "weightsBytes" BIGINT NOT NULL,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "status" "ModelStatus" NOT NULL DEFAULT 'ready',
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingJob" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "config" JSONB NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "progress" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "checkpointSha256" CHAR(64),
    "checkpointIteration" INTEGER,
    "trainingSeconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "backend" TEXT,
    "modelId" UUID,

    CONSTRAINT "TrainingJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingMetric" (
    "jobId" UUID NOT NULL,
    "iteration" INTEGER NOT NULL,
    "metaLoss" DOUBLE PRECISION NOT NULL,
    "accuracy" DOUBLE PRECISION,
    "validationAccuracy" DOUBLE PRECISION,
    "validationLoss" DOUBLE PRECISION,
    "validationCi95" DOUBLE PRECISION,
    "tasksPerSecond" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrainingMetric_pkey" PRIMARY KEY ("jobId","iteration")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "role" "KeyRole" NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Model_createdAt_idx" ON "Model"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Model_name_version_key" ON "Model"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "TrainingJob_modelId_key" ON "TrainingJob"("modelId");

-- CreateIndex
CREATE INDEX "TrainingJob_status_createdAt_idx" ON "TrainingJob"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- AddForeignKey
ALTER TABLE "TrainingJob" ADD CONSTRAINT "TrainingJob_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingMetric" ADD CONSTRAINT "TrainingMetric_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "TrainingJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

