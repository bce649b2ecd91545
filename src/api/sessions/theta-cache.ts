/**
 * An in-process LRU of sessions' encoded θ′ (with their meta), bounded in θ′'s bytes, in front of
 * Redis. A session's θ′ and meta never change after /adapt stores them (its expiry aside, which is
 * not kept here) and ids are never reused, so an entry stays valid as long as the session exists;
 * existence, owner and expiry are still read from Redis on every use (the small `meta` field), so a
 * session deleted or expired through any replica is gone here too.
 */
import type { SessionMeta } from './store.ts';

export interface CachedSession {
  readonly meta: SessionMeta;
  readonly theta: Buffer;
}

export class ThetaCache {
  private readonly entries = new Map<string, CachedSession>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): CachedSession | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id); // re-insert: most recently used last
      this.entries.set(id, entry);
    }
    return entry;
  }

  /** Keeps the session unless its θ′ alone exceeds the bound; evicts the least recently used to fit. */
  set(id: string, meta: SessionMeta, theta: Buffer): void {
    this.delete(id);
    if (theta.byteLength > this.maxBytes) return;
    this.entries.set(id, { meta, theta });
    this.used += theta.byteLength;
    for (const [oldest, value] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= value.theta.byteLength;
    }
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  delete(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.used -= entry.theta.byteLength;
  }
}
