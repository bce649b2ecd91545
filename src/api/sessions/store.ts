/**
 * Few-shot sessions in Redis: one hash per session, `meta` (JSON) and `theta` (the adapted
 * weights, encoded by src/api/sessions/codec.ts), expiring after the session's TTL. Reads and
 * predictions slide the expiry forward. Sessions belong to the key that made them: lookups with
 * another owner behave as if the session did not exist (and do not slide its expiry).
 * A load is one Redis command (the LOAD_SCRIPT below reads the fields and slides the expiry), and
 * so is a save (SAVE_SCRIPT: the fields and the expiry, atomically, as MULTI/HSET/EXPIRE/EXEC did
 * without building an ioredis pipeline, whose constructor copies every script defined on the
 * connection: BullMQ's dozens, ~0.2 ms a save); their failures reject with the client's typed
 * errors (src/shared/redis.ts: ClassifiedRedis).
 */
import { randomBytes } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { publishNotice } from '../../shared/cluster/notices.ts';
import { type CachedSession, ThetaCache } from './theta-cache.ts';

export interface SessionMeta {
  readonly id: string;
  readonly owner: string;
  readonly modelId: string;
  readonly modelSha256: string;
  /** Distinct labels in output-unit order: label i is output unit i. */
  readonly labels: readonly string[];
  readonly ttlSeconds: number;
  readonly createdAt: string;
  readonly steps: number;
  readonly support: { readonly loss: number; readonly accuracy: number; readonly shots: Record<string, number> };
}

export interface StoredSession {
  readonly meta: SessionMeta;
  readonly theta: Buffer;
  /** When the session expires (after any sliding extension made by this read). */
  readonly expiresAt: Date;
}

/** Session ids: 144 random bits, base64url (24 characters). */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

export const SESSION_ID_PATTERN = '^[A-Za-z0-9_-]{24}$';

/**
 * KEYS[1] the session hash; ARGV[1] the owner; ARGV[2..] the fields to read (`meta` first). Returns
 * the fields when `meta` exists, and then slides the expiry by the session's TTL when the owner
 * matches and every field asked for is there (as a separate HMGET + EXPIRE did, in one round trip).
 */
const LOAD_SCRIPT = `
local values = redis.call('HMGET', KEYS[1], unpack(ARGV, 2))
if not values[1] then return values end
for i = 2, #values do if not values[i] then return values end end
local meta = cjson.decode(values[1])
if meta.owner == ARGV[1] and tonumber(meta.ttlSeconds) then redis.call('EXPIRE', KEYS[1], math.floor(meta.ttlSeconds)) end
return values
`;

/** KEYS[1] the session hash; ARGV[1] meta, ARGV[2] θ′, ARGV[3] the TTL in seconds. */
const SAVE_SCRIPT = `
redis.call('HSET', KEYS[1], 'meta', ARGV[1], 'theta', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** LOAD_SCRIPT, with Buffer replies. */
    loadSessionBuffer(key: string, owner: string, ...fields: string[]): Result<Array<Buffer | null>, Context>;
    /** SAVE_SCRIPT. */
    saveSession(key: string, meta: string, theta: Buffer, ttlSeconds: number): Result<number, Context>;
  }
}

export class SessionStore {
  /** θ′ of recently used sessions (0 bytes: no cache). */
  readonly cache: ThetaCache;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    cacheBytes = 0,
  ) {
    this.cache = new ThetaCache(cacheBytes);
    // EVALSHA, falling back to EVAL when Redis does not hold the script yet (ioredis).
    redis.defineCommand('loadSession', { numberOfKeys: 1, lua: LOAD_SCRIPT });
    redis.defineCommand('saveSession', { numberOfKeys: 1, lua: SAVE_SCRIPT });
  }

  private key(id: string): string {
    return `${this.prefix}:session:${id}`;
  }

  async save(meta: SessionMeta, theta: Uint8Array): Promise<Date> {
    const bytes = Buffer.from(theta.buffer, theta.byteOffset, theta.byteLength);
    await this.redis.saveSession(this.key(meta.id), JSON.stringify(meta), bytes, meta.ttlSeconds);
    // The session's first /predict usually follows on this replica: it then reads only `meta`.
    // (A copy when θ′ is a view into a larger buffer, so the cache counts what it keeps alive.)
    this.cache.set(meta.id, meta, bytes.byteLength === theta.buffer.byteLength ? bytes : Buffer.from(bytes));
    return new Date(Date.now() + meta.ttlSeconds * 1000);
  }

  /**
   * The session as this replica last saw it (meta and θ′), if it holds it; not a check that the
   * session still exists or whose it is (load is): for work that load then confirms or discards.
   */
  peek(id: string): CachedSession | undefined {
    return this.cache.get(id);
  }

  /**
   * The session if it exists and belongs to `owner`; its expiry slides forward by its TTL. θ′ comes
   * from the in-process cache when it holds it (the meta is always read from Redis).
   */
  async load(id: string, owner: string, withTheta: boolean): Promise<StoredSession | null> {
    const key = this.key(id);
    const cached = withTheta ? this.cache.get(id)?.theta : undefined;
    const fields = withTheta && !cached ? ['meta', 'theta'] : ['meta'];
    const [metaBytes, stored] = await this.redis.loadSessionBuffer(key, owner, ...fields); // slides the expiry
    if (!metaBytes) {
      this.cache.delete(id);
      return null;
    }
    const meta = JSON.parse(metaBytes.toString('utf8')) as SessionMeta;
    const theta = cached ?? stored;
    if (meta.owner !== owner || (withTheta && !theta)) return null;
    if (stored) this.cache.set(id, meta, stored);
    return { meta, theta: theta ?? Buffer.alloc(0), expiresAt: new Date(Date.now() + meta.ttlSeconds * 1000) };
  }

  /** Deletes the session if it belongs to `owner`; false when there was none (or not theirs). */
  async delete(id: string, owner: string): Promise<boolean> {
    const found = await this.load(id, owner, false);
    if (!found) return false;
    this.cache.delete(id);
    const deleted = (await this.redis.del(this.key(id))) === 1;
    await publishNotice(this.redis, this.prefix, { type: 'session-deleted', sessionId: id }); // other replicas drop their copy of θ′
    return deleted;
  }

  /** Bytes Redis uses for one session (key, fields and overhead), for reports and metrics. */
  async bytesUsed(id: string): Promise<number | null> {
    const used = await this.redis.call('MEMORY', 'USAGE', this.key(id), 'SAMPLES', '0');
    return typeof used === 'number' ? used : null;
  }
}
