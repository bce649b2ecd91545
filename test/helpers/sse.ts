/** A Server-Sent Events client for tests. */
export interface SseMessage {
  readonly event?: string;
  readonly data?: unknown;
  readonly comment?: string;
}

/** An SSE client: `next()` resolves to the next message, or null once the server ended the stream. */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: SseMessage[] = [];
  async function next(): Promise<SseMessage | null> {
    while (queue.length === 0) {
      const { value, done } = await reader.read();
      if (done) return null;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of block.split('\n').filter((l) => l.startsWith(':'))) queue.push({ comment: line.slice(1).trim() });
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined) queue.push({ event, data: data === undefined ? undefined : JSON.parse(data) });
      }
    }
    return queue.shift()!;
  }
  /** The next message that is not a heartbeat. */
  async function nextEvent(): Promise<SseMessage | null> {
    for (;;) {
      const message = await next();
      if (message === null || message.comment === undefined) return message;
    }
  }
  return { res, next, nextEvent, close: () => controller.abort() };
}
