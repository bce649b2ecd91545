/**
 * A yauzl RandomAccessReader over a file that reads it in 64 KiB blocks and keeps the most recent
 * ones. yauzl reads a zip in tiny pieces (two reads per central-directory entry, one per local
 * header, a stream per entry); for Omniglot's 20,000 small entries those reads, each a thread-pool
 * round trip, cost more than decoding the images. A few hundred block reads replace them.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

const BLOCK_BYTES = 1 << 16;
const MAX_BLOCKS = 64; // 4 MiB

export class BlockCachedReader extends yauzl.RandomAccessReader {
  /** Block index → its bytes (Map order is recency: re-inserted on use, oldest evicted). */
  private readonly blocks = new Map<number, Promise<Buffer>>();

  private constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {
    super();
  }

  static async open(path: string): Promise<BlockCachedReader> {
    const file = await open(path, 'r');
    try {
      return new BlockCachedReader(file, (await file.stat()).size);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  private block(index: number): Promise<Buffer> {
    let block = this.blocks.get(index);
    if (block) {
      this.blocks.delete(index);
    } else {
      const start = index * BLOCK_BYTES;
      const length = Math.max(0, Math.min(BLOCK_BYTES, this.size - start));
      block = this.file.read(Buffer.alloc(length), 0, length, start).then(({ buffer, bytesRead }) => buffer.subarray(0, bytesRead));
      block.catch(() => this.blocks.delete(index));
      if (this.blocks.size >= MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    }
    this.blocks.set(index, block);
    return block;
  }

  /** The bytes [start, end), block by block. */
  private async *slices(start: number, end: number): AsyncGenerator<Buffer> {
    if (end > this.size) throw new Error(`read past the end of the archive (${end} > ${this.size})`);
    for (let position = start; position < end; ) {
      const index = Math.floor(position / BLOCK_BYTES);
      const block = await this.block(index);
      const from = position - index * BLOCK_BYTES;
      const to = Math.min(block.length, end - index * BLOCK_BYTES);
      if (to <= from) throw new Error(`short read at ${position}`);
      yield block.subarray(from, to);
      position += to - from;
    }
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.slices(start, end), { objectMode: false });
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    (async () => {
      let written = 0;
      for await (const slice of this.slices(position, position + length)) {
        slice.copy(buffer, offset + written);
        written += slice.length;
      }
    })().then(
      () => callback(null),
      (error: Error) => callback(error),
    );
  }

  override close(callback: (err: Error | null) => void): void {
    this.blocks.clear();
    this.file.close().then(
      () => callback(null),
      (error: Error) => callback(error),
    );
  }
}
