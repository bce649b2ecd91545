/**
 * An in-process LRU of sessions' encoded θ′, bounded in bytes, in front of Redis. A session's θ′
 * never changes after /adapt stores it and ids are never reused, so an entry stays valid as long
 * as the session exists; existence, owner and expiry are still read from Redis on every use (the
 * small `meta` field), so a session deleted or expired through any replica is gone here too.
 */
export class ThetaCache {
  private readonly entries = new Map<string, Buffer>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): Buffer | undefined {
    const theta = this.entries.get(id);
    if (theta) {
      this.entries.delete(id); // re-insert: most recently used last
      this.entries.set(id, theta);
    }
    return theta;
  }

  /** Keeps `theta` unless it alone exceeds the bound; evicts the least recently used to fit. */
  set(id: string, theta: Buffer): void {
    this.delete(id);
    if (theta.byteLength > this.maxBytes) return;
    this.entries.set(id, theta);
    this.used += theta.byteLength;
    for (const [oldest, value] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= value.byteLength;
    }
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  delete(id: string): void {
    const theta = this.entries.get(id);
    if (!theta) return;
    this.entries.delete(id);
    this.used -= theta.byteLength;
  }
}
