import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import type { ByteSource } from '@csp-hub/adapter-kit';
import { HubError } from '@csp-hub/taxonomy';

/**
 * A submitted file made ready for ingest before any database work starts:
 * received in full (to a spool file on disk when it arrives as a stream),
 * unpacked when it is a .gz or a .zip holding one file, checked to be text,
 * and hashed. The ingest transaction then reads a local file at disk speed,
 * so a slow upload never holds a connection or a transaction open.
 */
export interface PreparedFile {
  /** The plain content to ingest. */
  path: string;
  /** SHA-256 of the plain content, hex (the duplicate check compares this). */
  checksum: string;
  /** Bytes of the plain content. */
  contentBytes: number;
  /** Bytes received (compressed size for .gz/.zip). */
  receivedBytes: number;
  container: 'gzip' | 'zip' | null;
  /** Name of the file inside a .zip. */
  innerName: string | null;
  /** Removes spool files (never the caller's own file). */
  cleanup(): Promise<void>;
}

export interface PrepareOptions {
  /** Folder for spool files (default: <os tmp>/csp-hub-spool). */
  spoolDir?: string;
  /** Largest file accepted as received, in bytes. */
  maxBytes?: number;
  /** Largest content accepted after unpacking (guards against archive bombs); default 4 x maxBytes. */
  maxContentBytes?: number;
  signal?: AbortSignal;
}

/** What was learnt about a refused input before it was refused (recorded on the submission). */
export interface PartialInput {
  receivedBytes: number;
  checksum: string;
  container: 'gzip' | 'zip' | null;
}

/** The submission was stopped (Ctrl+C, SIGTERM, the client went away) before it finished. */
export class IngestInterrupted extends Error {
  constructor(readonly why: string) {
    super(`stopped before it finished (${why})`);
  }
}

export class InputRefused extends Error {
  constructor(
    readonly error: HubError,
    readonly partial: PartialInput,
  ) {
    super(error.message);
  }
}

const GZIP = [0x1f, 0x8b];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];
const HEAD_BYTES = 64 * 1024;

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => head[i] === b);
}

function spoolPath(dir: string, suffix: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return path.join(dir, `${Date.now()}-${randomBytes(6).toString('hex')}${suffix}`);
}

/** Counts and hashes bytes on their way through, and refuses more than `limit`. */
class Meter extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  constructor(
    private readonly limit: number,
    private readonly tooLarge: (limit: number) => HubError,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      done(this.tooLarge(this.limit));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

function tooLarge(limit: number): HubError {
  return HubError.invalidInput('FILE_TOO_LARGE', `The file is larger than the ${limit.toLocaleString('en-GB')}-byte upload limit.`);
}

function unpackedTooLarge(limit: number): HubError {
  return HubError.invalidInput(
    'FILE_TOO_LARGE',
    `The compressed file unpacks to more than ${limit.toLocaleString('en-GB')} bytes, the limit for unpacked content.`,
  );
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function hashFile(file: string): Promise<{ checksum: string; bytes: number }> {
  const meter = new Meter(Number.MAX_SAFE_INTEGER, tooLarge);
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), meter, async function* (source) {
    for await (const _ of source) {
      // consumed for the hash
    }
  });
  return { checksum: meter.hash.digest('hex'), bytes: meter.bytes };
}

/**
 * Text check on the first 64 KB of the plain content: UTF-16 (Excel's
 * "Unicode text") and binary files (NUL bytes, e.g. a spreadsheet or a PDF)
 * are refused with what they are, not with encoding advice.
 */
function checkText(head: Buffer): void {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw HubError.invalidInput('NOT_TEXT', 'This is a UTF-16 text file (Excel "Unicode text"): save or export it as CSV (UTF-8) and submit that.');
  }
  if (head.includes(0)) {
    const kind = startsWith(head, [0x25, 0x50, 0x44, 0x46])
      ? ' (it is a PDF)'
      : startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])
        ? ' (it is an old Excel or Word file)'
        : '';
    throw HubError.invalidInput('NOT_TEXT', `This is not a text file${kind}: it contains binary data. Submit the CSV, JSON or XML export itself.`);
  }
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );
}

function isJunk(name: string): boolean {
  const base = name.split('/').pop() ?? name;
  return name.endsWith('/') || name.startsWith('__MACOSX/') || base === '.DS_Store' || base === 'Thumbs.db' || base.startsWith('._');
}

async function zipEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!isJunk(entry.fileName)) entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return entries;
}

function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
}

/** Unpacks the one file a .zip holds into a new spool file. */
async function unzip(file: string, dir: string, limit: number, meter: Meter): Promise<{ path: string; name: string }> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (error) {
    throw HubError.invalidInput('BAD_ARCHIVE', `The .zip file is damaged and cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  try {
    const entries = await zipEntries(zip).catch((error: unknown) => {
      throw HubError.invalidInput('BAD_ARCHIVE', `The .zip file is damaged and cannot be read (${error instanceof Error ? error.message : String(error)}).`);
    });
    if (entries.length !== 1) {
      throw HubError.invalidInput(
        'ZIP_NOT_ONE_FILE',
        entries.length === 0
          ? 'The .zip file holds no file: put the one CSV, JSON or XML export in it.'
          : `The .zip file holds ${entries.length} files (${entries.slice(0, 5).map((e) => e.fileName).join(', ')}${entries.length > 5 ? ', ...' : ''}): submit one file per submission.`,
      );
    }
    const entry = entries[0]!;
    if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
      throw HubError.invalidInput('BAD_ARCHIVE', 'The file inside the .zip is encrypted: submit it without a password.');
    }
    if (entry.uncompressedSize > limit) throw unpackedTooLarge(limit);
    const out = spoolPath(dir, '.txt');
    try {
      await pipeline(await entryStream(zip, entry), meter, createWriteStream(out, { mode: 0o600 }));
    } catch (error) {
      await rm(out, { force: true });
      if (error instanceof HubError) throw error;
      throw HubError.invalidInput('BAD_ARCHIVE', `The file inside the .zip cannot be unpacked (${error instanceof Error ? error.message : String(error)}).`);
    }
    return { path: out, name: entry.fileName };
  } finally {
    zip.close();
  }
}

/**
 * Prepares a submitted file: from a path (read where it is) or a stream
 * (received into the spool first). Refusals throw InputRefused carrying what
 * was received, so the attempt can be recorded.
 */
export async function prepareInput(input: { path: string } | { source: ByteSource }, options: PrepareOptions = {}): Promise<PreparedFile> {
  const dir = options.spoolDir ?? path.join(os.tmpdir(), 'csp-hub-spool');
  const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
  const maxContent = options.maxContentBytes ?? Math.min(Number.MAX_SAFE_INTEGER, maxBytes * 4);
  const spooled: string[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(spooled.map((f) => rm(f, { force: true })));
  };
  const received = new Meter(maxBytes, tooLarge);
  let receivedChecksum: string | undefined;
  let container: 'gzip' | 'zip' | null = null;
  try {
    // 1. The bytes as received, on disk.
    let raw: string;
    if ('path' in input) {
      raw = input.path;
      const size = (await stat(raw)).size;
      if (size > maxBytes) throw tooLarge(maxBytes);
    } else {
      raw = spoolPath(dir, '.upload');
      spooled.push(raw);
      const source = input.source;
      await pipeline(
        (async function* () {
          for await (const chunk of source) {
            if (options.signal?.aborted) throw new IngestInterrupted(String(options.signal.reason ?? 'stopped'));
            yield chunk;
          }
        })(),
        received,
        createWriteStream(raw, { mode: 0o600 }),
      );
      receivedChecksum = received.hash.digest('hex');
    }
    const head = await readHead(raw);
    // 2. Unpacked content.
    let plain = raw;
    let innerName: string | null = null;
    const content = new Meter(maxContent, unpackedTooLarge);
    if (startsWith(head, GZIP)) {
      container = 'gzip';
      plain = spoolPath(dir, '.txt');
      spooled.push(plain);
      try {
        await pipeline(createReadStream(raw, { highWaterMark: 1 << 20 }), createGunzip(), content, createWriteStream(plain, { mode: 0o600 }));
      } catch (error) {
        if (error instanceof HubError) throw error;
        throw HubError.invalidInput('BAD_ARCHIVE', `The .gz file is damaged or cut short and cannot be unpacked (${error instanceof Error ? error.message : String(error)}).`);
      }
    } else if (startsWith(head, ZIP) || startsWith(head, EMPTY_ZIP)) {
      container = 'zip';
      const unpacked = await unzip(raw, dir, maxContent, content);
      plain = unpacked.path;
      innerName = unpacked.name;
      spooled.push(plain);
    }
    // 3. Hash of the plain content (computed on the way for spooled content).
    let checksum: string;
    let contentBytes: number;
    if (plain === raw) {
      if ('path' in input) ({ checksum, bytes: contentBytes } = await hashFile(raw));
      else {
        checksum = receivedChecksum!;
        contentBytes = received.bytes;
      }
    } else {
      checksum = content.hash.digest('hex');
      contentBytes = content.bytes;
    }
    const receivedBytes = 'path' in input ? (await stat(raw)).size : received.bytes;
    checkText(plain === raw ? head : await readHead(plain));
    return { path: plain, checksum, contentBytes, receivedBytes, container, innerName, cleanup };
  } catch (error) {
    await cleanup();
    if (error instanceof HubError && error.kind === 'invalid_input') {
      const partial: PartialInput = {
        receivedBytes: 'path' in input ? await stat(input.path).then((s) => s.size, () => 0) : received.bytes,
        checksum: 'path' in input ? await hashFile(input.path).then((h) => h.checksum, () => '') : (receivedChecksum ?? received.hash.copy().digest('hex')),
        container,
      };
      throw new InputRefused(error, partial);
    }
    throw error;
  }
}
