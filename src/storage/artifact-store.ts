/** Weights artifacts, content-addressed by the sha256 of their bytes. */
export interface StoredArtifact {
  readonly sha256: string;
  readonly size: number;
  /** Where the store keeps it (a path for the filesystem store); recorded in the registry row. */
  readonly location: string;
}

export interface ArtifactStore {
  /** Stores bytes atomically (a crash never leaves a partial artifact under its final name). */
  put(bytes: Uint8Array): Promise<StoredArtifact>;
  /** The bytes, verified against their sha256; ArtifactNotFoundError when absent. */
  get(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
  delete(sha256: string): Promise<void>;
}

export class ArtifactNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`artifact ${sha256} not found`);
  }
}

export class ArtifactCorruptError extends Error {
  constructor(readonly sha256: string, readonly actual: string) {
    super(`artifact ${sha256} is corrupt: its bytes hash to ${actual}`);
  }
}

export class InvalidDigestError extends Error {
  constructor(readonly value: string) {
    super(`not a sha256 hex digest: ${JSON.stringify(value.slice(0, 80))}`);
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function assertDigest(value: string): void {
  if (!SHA256_HEX.test(value)) throw new InvalidDigestError(value);
}
