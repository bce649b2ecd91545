/** A Server-Sent Events parser (the subset of the spec the service uses: event, data, id, comments). */

export interface SseMessage {
  /** `message` when the block named no event. */
  readonly event: string;
  /** The data lines joined with "\n". */
  readonly data: string;
  readonly id?: string;
}

/** Parses one block (the lines between blank lines); null for a block of comments only. */
export function parseSseBlock(block: string): SseMessage | null {
  let event = 'message';
  const data: string[] = [];
  let id: string | undefined;
  let fields = 0;
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
    else continue; // retry and unknown fields
    fields++;
  }
  if (fields === 0 || (data.length === 0 && event === 'message')) return null;
  return { event, data: data.join('\n'), ...(id === undefined ? {} : { id }) };
}

/** The messages of an event stream, in order, until the server ends it. */
export async function* readSse(stream: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const blocks = buffer.split(/\r\n\r\n|\n\n|\r\r/);
      buffer = done ? '' : blocks.pop()!;
      for (const block of blocks) {
        const message = parseSseBlock(block);
        if (message) yield message;
      }
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
