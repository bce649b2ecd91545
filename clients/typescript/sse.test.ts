import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSseBlock, readSse } from './sse.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

test('blocks: event and data fields, multi-line data, comments and retry lines skipped', () => {
  assert.deepEqual(parseSseBlock('event: progress\ndata: {"iteration":3}'), { event: 'progress', data: '{"iteration":3}' });
  assert.deepEqual(parseSseBlock('data: a\ndata: b\nid: 7'), { event: 'message', data: 'a\nb', id: '7' });
  assert.deepEqual(parseSseBlock('retry: 5000\nevent: job\ndata:{}'), { event: 'job', data: '{}' });
  assert.equal(parseSseBlock(': heartbeat'), null);
  assert.equal(parseSseBlock('retry: 10'), null);
});

test('a stream split at arbitrary points yields every message in order', async () => {
  const text = 'retry: 5000\nevent: job\ndata: {"a":1}\n\n: heartbeat\n\nevent: progress\ndata: {"é":"✓"}\n\nevent: status\r\ndata: {"s":"completed"}\r\n\r\n';
  const bytes = new TextEncoder().encode(text);
  for (const size of [1, 2, 3, 7, 64]) {
    const decoder = new TextDecoder();
    const chunks: string[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(decoder.decode(bytes.slice(i, i + size), { stream: true }));
    const messages = [];
    for await (const m of readSse(streamOf(chunks))) messages.push(m);
    assert.deepEqual(
      messages,
      [
        { event: 'job', data: '{"a":1}' },
        { event: 'progress', data: '{"é":"✓"}' },
        { event: 'status', data: '{"s":"completed"}' },
      ],
      `chunks of ${size}`,
    );
  }
});

test('bytes of one character split across chunks decode correctly', async () => {
  const bytes = new TextEncoder().encode('event: x\ndata: ✓\n\n');
  const cut = bytes.indexOf(0xe2) + 1;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.slice(0, cut));
      controller.enqueue(bytes.slice(cut));
      controller.close();
    },
  });
  const messages = [];
  for await (const m of readSse(stream)) messages.push(m);
  assert.deepEqual(messages, [{ event: 'x', data: '✓' }]);
});
