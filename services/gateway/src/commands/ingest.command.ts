import { createReadStream, existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { User } from '@csp-hub/db';
import { appendAudit } from '@csp-hub/authz';
import { findBuiltInLayout, ingestFile, type IngestResult } from '@csp-hub/ingest';
import { HubError } from '@csp-hub/taxonomy';
import type { Encoding } from '@csp-hub/adapter-kit';
import type { Hub } from '../hub';
import type { Logger } from '../logger';
import { stringOption, type CliCommand } from './command';
import { withHub } from './hub-session';
import { resolveTarget } from './resolve-agency';

export interface IngestCommandOptions {
  agency: string;
  feed: string;
  file: string;
  encoding?: string;
  asEmail?: string;
  layout?: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

const ENCODINGS = ['utf-8', 'windows-1252', 'auto'];

function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** `csp-hub ingest`: one file, with progress on stderr and a summary on stdout. Exit 0 unless refused. */
export async function ingestCommand(hub: Hub, logger: Logger, o: IngestCommandOptions): Promise<number> {
  if (!existsSync(o.file) || !statSync(o.file).isFile()) throw HubError.invalidInput('FILE_NOT_FOUND', `No such file: ${o.file}`);
  if (o.encoding && !ENCODINGS.includes(o.encoding)) throw HubError.invalidInput('UNKNOWN_ENCODING', `--encoding must be ${ENCODINGS.join(', ')}`);
  let userId: number | null = null;
  let userAgencyId: number | undefined;
  let label = `cli:${os.userInfo().username}`;
  if (o.asEmail) {
    const user = await hub.orm.em.fork().findOne(User, { email: o.asEmail });
    if (!user) throw HubError.notFound('User', o.asEmail);
    userId = user.id;
    userAgencyId = user.agency.id;
    label = o.asEmail;
  }
  const target = await resolveTarget(hub.pool, o.agency, o.feed, userAgencyId);
  if (userAgencyId !== undefined && userAgencyId !== target.agencyId) {
    throw HubError.forbidden('NOT_YOUR_AGENCY', `${o.asEmail} does not work for ${target.agencyCode} and cannot submit its data`);
  }
  const size = statSync(o.file).size;
  const started = Date.now();
  let lastShown = 0;
  const show = (bytes: number, rows: number, final = false): void => {
    const now = Date.now();
    if (!final && now - lastShown < 1000) return;
    lastShown = now;
    const pct = size > 0 ? Math.min(100, (bytes / size) * 100).toFixed(0) : '100';
    const rate = bytes / Math.max(1, now - started) * 1000;
    const line = `ingest ${target.feed}: ${pct}% ${mb(bytes)} of ${mb(size)}, ${rows.toLocaleString('en-GB')} rows, ${mb(rate)}/s`;
    o.err.write(o.err.isTTY ? `\r${line}${final ? '\n' : ''}` : `${line}\n`);
  };
  const result: IngestResult = await ingestFile(hub.pool, {
    agencyId: target.agencyId,
    feed: target.feed,
    fileName: path.basename(o.file),
    source: createReadStream(o.file, { highWaterMark: 1 << 20 }),
    submitter: { userId, label, via: 'cli' },
    ...(o.encoding ? { encoding: o.encoding as Encoding } : {}),
    ...(o.layout ? { layout: o.layout } : {}),
    onProgress: (p) => show(p.bytes, p.rows),
    logger,
  });
  show(result.bytes, result.rowsRead, true);
  await appendAudit(hub.pool, {
    userId,
    agencyId: target.agencyId,
    partnershipId: null,
    roles: [],
    operation: 'create',
    objectType: 'Submission',
    objectId: String(result.submissionId),
    detail: { via: 'cli', by: label, feed: target.feed, status: result.status, rowsRead: result.rowsRead, rowsRejected: result.rowsRejected, checksum: result.checksum },
    rowCount: result.rowsAccepted,
    agreementIds: [],
  });
  if (result.status === 'refused') {
    o.err.write(`refused (${result.errorCode}): ${result.errorMessage}\nsubmission ${result.submissionId} records the refusal; nothing was stored.\n`);
    return 1;
  }
  if (result.status === 'duplicate') {
    o.out.write(`${result.errorMessage}\n`);
    return 0;
  }
  o.out.write(
    `submission ${result.submissionId} accepted: ${result.rowsRead.toLocaleString('en-GB')} rows read, ` +
      `${result.rowsAccepted.toLocaleString('en-GB')} accepted (${result.rowsInserted.toLocaleString('en-GB')} new, ${result.rowsUpdated.toLocaleString('en-GB')} updated, ` +
      `${Math.max(0, result.rowsAccepted - result.rowsInserted - result.rowsUpdated).toLocaleString('en-GB')} unchanged), ` +
      `${result.rowsRejected.toLocaleString('en-GB')} rejected, in ${(result.durationMs / 1000).toFixed(1)} s` +
      // Which layout file read it (a feed's code reader, e.g. data.police.uk, goes without saying).
      `${result.layout && findBuiltInLayout(result.layout.id)?.kind !== 'code' ? ` (layout ${result.layout.id} version ${result.layout.version})` : ''}\n`,
  );
  if (result.rowsRejected > 0) {
    o.out.write(`first rejects (all of them: GraphQL submission(id: ${result.submissionId}) { rejects }):\n`);
    for (const r of result.firstRejects) o.out.write(`  row ${r.rowNumber}${r.column ? ` [${r.column}]` : ''} ${r.reason}: ${r.message}\n`);
  }
  return 0;
}

export const ingestCliCommand: CliCommand = {
  name: 'ingest',
  usage:
    '  ingest --agency <code|type> --feed <feed> [--encoding utf-8|windows-1252|auto] [--layout <id>] [--as <email>] <file>\n' +
    '                                      submit one file; progress on stderr; exit 1 if the file is refused',
  options: { agency: { type: 'string' }, feed: { type: 'string' }, encoding: { type: 'string' }, layout: { type: 'string' }, as: { type: 'string' } },
  run({ values, positionals, config, logger }) {
    const file = positionals[0];
    const agency = stringOption(values, 'agency');
    const feed = stringOption(values, 'feed');
    if (!agency || !feed || !file || positionals.length > 1) {
      throw HubError.invalidInput('BAD_ARGUMENTS', 'ingest needs --agency, --feed and one file (csp-hub help)');
    }
    const encoding = stringOption(values, 'encoding');
    const asEmail = stringOption(values, 'as');
    const layout = stringOption(values, 'layout');
    return withHub(config, logger, (hub) =>
      ingestCommand(hub, logger, {
        agency,
        feed,
        file,
        ...(encoding ? { encoding } : {}),
        ...(asEmail ? { asEmail } : {}),
        ...(layout ? { layout } : {}),
        out: process.stdout,
        err: process.stderr,
      }),
    );
  },
};
