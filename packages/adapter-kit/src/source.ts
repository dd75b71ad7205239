import type { ByteSource } from './decode';

/**
 * Reads the first bytes of a stream without losing them: returns the first
 * non-white-space character (after a BOM) and a source that replays everything.
 */
export async function sniff(source: ByteSource): Promise<{ first: string | undefined; source: ByteSource }> {
  const iterator = source[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let first: string | undefined;
  let exhausted = false;
  while (first === undefined) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    seen.push(next.value);
    const text = Buffer.concat(seen).toString('latin1').replace(/^\xEF\xBB\xBF/, '');
    const match = /\S/.exec(text);
    if (match) first = match[0];
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* seen;
    if (exhausted) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { first, source: replay() };
}

/** Bytes of a string or buffer as a ByteSource split into chunks (tests, small inputs). */
export async function* bytesOf(content: string | Uint8Array, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}
