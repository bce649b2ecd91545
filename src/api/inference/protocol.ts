/** Messages between the API and its inference threads (raw bytes and typed arrays, no JSON of floats). */
import type { PreprocessOptions } from '../../data/image/preprocess.ts';

/**
 * The uploaded files packed into one SharedArrayBuffer (views on it, same order): posted to a
 * thread they are shared, not cloned. They arrive as views into the socket's 64 KB read buffers,
 * and posting a view clones its whole buffer (an /adapt with 5 small PNGs: a thread round trip
 * 0.48 ms, 0.23–0.27 with compact copies).
 */
export function sharedFiles(files: readonly Uint8Array[]): Uint8Array[] {
  let total = 0;
  for (const file of files) total += file.byteLength;
  const buffer = new SharedArrayBuffer(total);
  let offset = 0;
  return files.map((file) => {
    const view = new Uint8Array(buffer, offset, file.byteLength);
    view.set(file);
    offset += file.byteLength;
    return view;
  });
}

/**
 * Bytes that own a whole SharedArrayBuffer (copied there unless they already do): θ′ travels this
 * way (the adapt answer, the session cache, the predict request), shared between the API and its
 * threads, and a cache that keeps them keeps no larger buffer alive. A 230 KB all-layer θ′ round
 * trip through a thread measured 0.44 ms cloned, 0.08 shared. Nobody writes such bytes after this.
 */
export function shared(bytes: Uint8Array): Buffer {
  const owned = bytes.buffer instanceof SharedArrayBuffer && bytes.byteLength === bytes.buffer.byteLength ? bytes : sharedFiles([bytes])[0]!;
  return Buffer.from(owned.buffer, owned.byteOffset, owned.byteLength);
}

export interface ModelRef {
  /** Artifact sha256 of the model's safetensors file (also the thread's cache key). */
  readonly sha256: string;
}

/** Uploaded image files; the thread checks their size, decodes and preprocesses them. */
export interface ImageBatch {
  readonly files: readonly Uint8Array[];
  readonly preprocessing: PreprocessOptions;
  readonly maxPixels: number;
  /** How error messages name each file, after its index: `"cat.png"` (multipart filename), `label "cat"` (JSON). */
  readonly names?: readonly (string | undefined)[];
}

export interface AdaptRequest {
  readonly kind: 'adapt';
  readonly model: ModelRef;
  readonly images: ImageBatch;
  /** Output unit of each image (0..ways-1). */
  readonly labels: Int32Array;
  readonly ways: number;
  readonly steps: number;
  readonly headOnly: boolean;
  /** When the API handed it to the pool (epoch ms, performance.timeOrigin-based): the thread reports the wait. */
  readonly submittedAt: number;
  /** Threads each native kernel call may use (src/kernels/threads.ts): more than 1 only for a lone, large request (kernel-threads.ts). Default 1. */
  readonly kernelThreads?: number;
}

export interface AdaptResponse {
  /** θ′ encoded by src/api/sessions/codec.ts (only the parameters adaptation changed). */
  readonly theta: Uint8Array;
  readonly loss: number;
  readonly accuracy: number;
  readonly decodeMs: number;
  /** Adaptation, the support moments and θ′'s encoding (of which `encodeMs`). */
  readonly adaptMs: number;
  /** Encoding θ′ for the session store (part of adaptMs). */
  readonly encodeMs: number;
  /** Time the request waited for a free thread. */
  readonly queueMs: number;
}

export interface PredictRequest {
  readonly kind: 'predict';
  readonly model: ModelRef;
  readonly theta: Uint8Array;
  readonly images: ImageBatch;
  readonly ways: number;
  readonly submittedAt: number;
  readonly kernelThreads?: number;
}

export interface PredictResponse {
  /** [count, ways] probabilities, row-major. */
  readonly probabilities: Float32Array;
  readonly decodeMs: number;
  /** Decoding the session's θ′ and scoring the images (of which `thetaMs`). */
  readonly predictMs: number;
  /** Decoding the session's stored θ′ (part of predictMs). */
  readonly thetaMs: number;
  readonly queueMs: number;
}

/** Live tensors in the thread (tests check nothing leaks). */
export interface MemoryRequest {
  readonly kind: 'memory';
}

/**
 * Why a thread refused a request, as a type the API maps to its answer (src/api/plugins/error-mapping.ts):
 * an image over the pixel limit or unreadable (the client's), a session whose θ′ cannot be read
 * (the client's to redo), the model's weights missing or damaged in the local folder (the server's;
 * retry).
 */
export const REFUSAL_REASONS = ['image-too-large', 'unsupported-image', 'session-unreadable', 'weights-unavailable'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A request the thread refused: crosses the thread boundary as data (errors lose their class there). */
export interface RefusedResponse {
  readonly refused: { readonly reason: RefusalReason; readonly message: string };
}

/** A refusal, raised on the API side: a domain error without a status. */
export class InferenceRefusedError extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'InferenceRefusedError';
  }
}

export type InferenceRequest = AdaptRequest | PredictRequest | MemoryRequest;

/** High-resolution wall-clock ms, comparable between threads (for the queue wait). */
export const epochMs = () => performance.timeOrigin + performance.now();
