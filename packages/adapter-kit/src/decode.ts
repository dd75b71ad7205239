import { HubError } from '@csp-hub/taxonomy';

export type Encoding = 'utf-8' | 'windows-1252' | 'auto';
export type DetectedEncoding = 'utf-8' | 'windows-1252';

export type ByteSource = AsyncIterable<Uint8Array>;

/**
 * Decodes a byte stream to text chunks without holding the file:
 *  - strips a UTF-8 byte-order mark;
 *  - `utf-8` refuses invalid bytes with the byte offset;
 *  - `windows-1252` decodes single bytes (Excel "CSV" exports, the AFRS files);
 *  - `auto` reads UTF-8 and switches to Windows-1252 at the first invalid byte
 *    when every earlier byte was ASCII (so nothing decoded so far changes);
 *    invalid bytes after non-ASCII UTF-8 are refused as mixed encodings.
 * `onEncoding` is told the encoding used once it is known (at the end).
 */
export async function* decodeText(
  source: ByteSource,
  encoding: Encoding,
  onEncoding?: (encoding: DetectedEncoding) => void,
): AsyncGenerator<string> {
  let mode: DetectedEncoding = encoding === 'windows-1252' ? 'windows-1252' : 'utf-8';
  let decoder = new TextDecoder(mode, { fatal: mode === 'utf-8', ignoreBOM: false });
  let offset = 0;
  // Bytes of a character cut off at the end of the previous chunk (the decoder holds them).
  let carry: Uint8Array = new Uint8Array(0);
  let emittedNonAscii = false;
  for await (const chunk of source) {
    let text: string;
    if (mode === 'windows-1252') {
      text = decoder.decode(chunk, { stream: true });
    } else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        const joined = concat(carry, chunk);
        const bad = firstInvalidUtf8(joined) ?? 0;
        const at = offset - carry.length + bad;
        if (encoding === 'auto' && !emittedNonAscii) {
          mode = 'windows-1252';
          decoder = new TextDecoder(mode);
          text = decoder.decode(joined, { stream: true });
        } else {
          const byte = ` 0x${(joined[bad] ?? 0).toString(16).padStart(2, '0')}`;
          throw HubError.invalidInput(
            'INVALID_ENCODING',
            encoding === 'auto'
              ? `The file mixes UTF-8 with other bytes: invalid byte${byte} at byte offset ${at}. Save it as UTF-8 and submit it again.`
              : `The file is not valid UTF-8: invalid byte${byte} at byte offset ${at}. ` +
                  'If it was saved by Excel as "CSV" it is probably Windows-1252: submit it again with encoding windows-1252.',
            { byteOffset: at },
          );
        }
      }
      carry = incompleteTail(chunk.length >= 4 ? chunk : concat(carry, chunk));
    }
    if (encoding === 'auto' && !emittedNonAscii && /[^\x00-\x7f]/.test(text)) emittedNonAscii = true;
    offset += chunk.byteLength;
    if (text) yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw HubError.invalidInput(
      'INVALID_ENCODING',
      `The file is not valid UTF-8: it ends inside a multi-byte character (byte offset ${offset}). The file may be truncated.`,
      { byteOffset: offset },
    );
  }
  if (tail) yield tail;
  onEncoding?.(mode);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The trailing bytes of `bytes` that start a UTF-8 character not yet complete. */
function incompleteTail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? bytes.subarray(bytes.length - back) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

/** Index of the first byte that breaks UTF-8 in a chunk (ignoring a sequence cut off at the end). */
function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  // continuation bytes of a character begun in the previous chunk
  while (i < 3 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return undefined;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return undefined;
}
