/**
 * A small seeded PRNG: xoshiro128** (Blackman & Vigna) seeded through splitmix32.
 * Same seed → same sequence on every platform (only 32-bit integer arithmetic).
 * `fork(label)` derives an independent stream from this generator's *seed* and the label, not
 * from its current state, so forks are stable however many numbers the parent has drawn.
 */

export class InvalidSeedError extends Error {
  constructor(readonly seed: number) {
    super(`seed must be a finite integer, got ${seed}`);
  }
}

export class InvalidRangeError extends Error {
  constructor(
    readonly low: number,
    readonly high: number,
  ) {
    super(`empty or invalid range [${low}, ${high})`);
  }
}

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a over the label's UTF-16 code units, finalised with murmur3's fmix32. */
function hashLabel(key: number, label: string | number): number {
  let h = (0x811c9dc5 ^ key) >>> 0;
  const text = typeof label === 'number' ? `#${label}` : label;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Folds any safe integer (also negative or above 2^32) into a 32-bit key. */
function seedKey(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new InvalidSeedError(seed);
  const low = seed >>> 0;
  const high = Math.floor(seed / 0x1_0000_0000) >>> 0;
  return (low ^ Math.imul(high, 0x9e3779b1)) >>> 0;
}

export class Rng {
  private readonly s = new Uint32Array(4);
  /** The 32-bit key this stream was seeded with (forks derive from it). */
  readonly key: number;

  constructor(seed: number) {
    this.key = seedKey(seed);
    let state = this.key;
    for (let i = 0; i < 4; i++) {
      const [next, value] = splitmix32(state);
      state = next;
      this.s[i] = value;
    }
  }

  /** A generator with the given raw xoshiro128** state (test vectors; not all zero). */
  static fromState(state: readonly [number, number, number, number]): Rng {
    if (state.every((word) => word >>> 0 === 0)) throw new InvalidSeedError(0);
    const rng = new Rng(0);
    rng.s.set(state.map((word) => word >>> 0));
    return rng;
  }

  /** An independent stream named by `label` (a string, or a number such as a task index). */
  fork(label: string | number): Rng {
    return new Rng(hashLabel(this.key, label));
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0]!,
      s1 = s[1]!,
      s2 = s[2]!,
      s3 = s[3]!;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniformIn(low: number, high: number): number {
    if (!(high >= low) || !Number.isFinite(low) || !Number.isFinite(high)) throw new InvalidRangeError(low, high);
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [low, high) without modulo bias (high − low ≤ 2^32). */
  int(low: number, high: number): number {
    const span = high - low;
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || span <= 0 || span > 0x1_0000_0000) {
      throw new InvalidRangeError(low, high);
    }
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % span);
    let value = this.nextUint32();
    while (value >= limit) value = this.nextUint32();
    return low + (value % span);
  }

  /** Standard normal (Box–Muller; one draw per call, so the stream never depends on a cache). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.uniform(); // (0, 1]
    const v = this.uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** `count` distinct integers from [0, n), in random order (partial Fisher–Yates). */
  sample(n: number, count: number): number[] {
    if (!Number.isSafeInteger(count) || count < 0 || count > n) throw new InvalidRangeError(count, n + 1);
    const pool = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = this.int(i, n);
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    return pool.slice(0, count);
  }
}
