/**
 * UUID version 7 (RFC 9562): a 48-bit Unix-millisecond timestamp, then random bits. They sort by
 * creation time (PostgreSQL compares uuids bytewise), so "staged before T" is a range query.
 */
import { randomBytes } from 'node:crypto';

export function uuid7(ms = Date.now(), random: Uint8Array = randomBytes(10)): string {
  const bytes = new Uint8Array(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes.set(random.subarray(0, 10), 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // variant 10
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The smallest version-7 uuid of millisecond `ms`: every uuid7 made earlier sorts below it. */
export function uuid7Floor(ms: number): string {
  return uuid7(ms, new Uint8Array(10));
}
