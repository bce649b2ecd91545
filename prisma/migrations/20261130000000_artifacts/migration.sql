-- CreateTable
CREATE TABLE "Artifact" (
    "sha256" CHAR(64) NOT NULL,
    "size" BIGINT NOT NULL,
    "blobId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Artifact_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "ArtifactChunk" (
    "blobId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "ArtifactChunk_pkey" PRIMARY KEY ("blobId","index")
);

-- CreateIndex
CREATE UNIQUE INDEX "Artifact_blobId_key" ON "Artifact"("blobId");

-- Chunks stay out of line (TOAST) and uncompressed: float weights gain little from pglz.
ALTER TABLE "ArtifactChunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;
