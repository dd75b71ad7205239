import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { User } from '@csp-hub/db';
import { appendAuditIn } from '@csp-hub/authz';
import { submissionAuditDetail } from '../submission-audit';
import { findBuiltInLayout, ingestFile, resolveFeedTarget, type IngestResult } from '@csp-hub/ingest';
import { HubError } from '@csp-hub/taxonomy';
import type { Encoding } from '@csp-hub/adapter-kit';
import type { Hub } from '../hub';
import type { Logger } from '../logger';
import { stringOption, type CliCommand } from './command';
import { withHub } from './hub-session';

export interface IngestCommandOptions {
  agency: string;
  feed: string;
  file: string;
  encoding?: string;
  asEmail?: string;
  asOf?: string;
  layout?: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /** Stops the submission (the command wires SIGINT and SIGTERM here). */
  signal?: AbortSignal;
}

const ENCODINGS = ['utf-8', 'windows-1252', 'auto'];

function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function n(value: number): string {
  return value.toLocaleString('en-GB');
}

/** `csp-hub ingest`: one file, with progress on stderr and a summary on stdout. Exit 0 unless refused or failed. */
export async function ingestCommand(hub: Hub, logger: Logger, o: IngestCommandOptions): Promise<number> {
  if (!existsSync(o.file) || !statSync(o.file).isFile()) throw HubError.invalidInput('FILE_NOT_FOUND', `No such file: ${o.file}`);
  if (o.encoding && !ENCODINGS.includes(o.encoding)) throw HubError.invalidInput('UNKNOWN_ENCODING', `--encoding must be ${ENCODINGS.join(', ')}`);
  let userId: number | null = null;
  let userAgencyId: number | undefined;
  let partnershipId: number | null = null;
  let roles: string[] = [];
  let label = `cli:${os.userInfo().username}`;
  if (o.asEmail) {
    const user = await hub.orm.em.fork().findOne(User, { email: o.asEmail });
    if (!user || !user.active) throw HubError.notFound('User', o.asEmail);
    userId = user.id;
    userAgencyId = user.agency.id;
    partnershipId = user.partnership.id;
    roles = user.roles;
    label = o.asEmail;
  }
  const target = await resolveFeedTarget(hub.pool, o.agency, o.feed, userAgencyId);
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
    const rate = (bytes / Math.max(1, now - started)) * 1000;
    const line = `ingest ${target.feed}: ${pct}% ${mb(bytes)} of ${mb(size)}, ${n(rows)} rows, ${mb(rate)}/s`;
    o.err.write(o.err.isTTY ? `\r${line}${final ? '\n' : ''}` : `${line}\n`);
  };
  const result: IngestResult = await ingestFile(hub.ingestPool, {
    agencyId: target.agencyId,
    feed: target.feed,
    fileName: path.basename(o.file),
    path: o.file,
    submitter: { userId, label, via: 'cli' },
    ...(o.encoding ? { encoding: o.encoding as Encoding } : {}),
    ...(o.asOf ? { asOf: o.asOf } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.layout ? { layout: o.layout } : {}),
    onProgress: (p) => show(p.bytes, p.rows),
    logger,
    beforeCommit: async (tx, outcome) => {
      await appendAuditIn(tx, {
        userId,
        agencyId: userAgencyId ?? target.agencyId,
        partnershipId,
        roles,
        operation: 'create',
        objectType: 'Submission',
        objectId: String(outcome.submissionId),
        detail: { ...submissionAuditDetail(outcome, 'cli'), by: label },
        rowCount: outcome.rowsAccepted,
        agreementIds: [],
      });
    },
  });
  if (result.status === 'failed') {
    if (result.errorCode === 'INTERRUPTED') {
      o.err.write(`\ninterrupted: the submission was rolled back and nothing was stored (submission ${result.submissionId} records the attempt).\n`);
      return 130;
    }
    o.err.write(`failed (${result.errorCode}): ${result.errorMessage} (submission ${result.submissionId})\n`);
    return 1;
  }
  show(size, result.rowsRead, true);
  if (result.status === 'refused') {
    o.err.write(`refused (${result.errorCode}): ${result.errorMessage}\nsubmission ${result.submissionId} records the refusal; nothing was stored.\n`);
    for (const r of result.firstRejects) o.err.write(`  row ${r.rowNumber}${r.column ? ` [${r.column}]` : ''} ${r.reason}: ${r.message}\n`);
    return 1;
  }
  if (result.status === 'duplicate') {
    o.out.write(`${result.errorMessage}\n`);
    return 0;
  }
  const unchanged = Math.max(0, result.rowsAccepted - result.rowsInserted - result.rowsUpdated - result.rowsKeptNewer);
  o.out.write(
    `submission ${result.submissionId} accepted: ${n(result.rowsRead)} rows read, ` +
      `${n(result.rowsAccepted)} accepted (${n(result.rowsInserted)} new, ${n(result.rowsUpdated)} updated, ${n(unchanged)} unchanged` +
      `${result.rowsKeptNewer ? `, ${n(result.rowsKeptNewer)} kept because the stored values are newer` : ''}), ` +
      `${n(result.rowsRejected)} rejected${result.rowsRetired ? `, ${n(result.rowsRetired)} no longer published (retired)` : ''}, in ${(result.durationMs / 1000).toFixed(1)} s` +
      // Which layout file read it (a feed's code reader, e.g. data.police.uk, goes without saying).
      `${result.layout && findBuiltInLayout(result.layout.id)?.kind !== 'code' ? ` (layout ${result.layout.id} version ${result.layout.version})` : ''}\n`,
  );
  if (result.revises.length) o.out.write(`revises submission${result.revises.length > 1 ? 's' : ''} ${result.revises.join(', ')} for ${result.periods.join(', ')}\n`);
  for (const q of result.quality) o.out.write(`note (${q.code}): ${q.message}\n`);
  if (result.rowsRejected > 0) {
    o.out.write(`first rejects (all of them: GraphQL submission(id: ${result.submissionId}) { rejects }):\n`);
    for (const r of result.firstRejects) o.out.write(`  row ${r.rowNumber}${r.column ? ` [${r.column}]` : ''} ${r.reason}: ${r.message}\n`);
  }
  return 0;
}

export const ingestCliCommand: CliCommand = {
  name: 'ingest',
  usage:
    '  ingest --agency <code|type> --feed <feed> [--encoding utf-8|windows-1252|auto] [--layout <id>] [--as <email>] [--as-of <date>] <file>\n' +
    '                                      submit one file (.csv/.json/.xml, or .gz, or a .zip holding one); progress on\n' +
    '                                      stderr; exit 1 if refused or failed, 130/143 if stopped (rolled back)',
  options: { agency: { type: 'string' }, feed: { type: 'string' }, encoding: { type: 'string' }, layout: { type: 'string' }, as: { type: 'string' }, 'as-of': { type: 'string' } },
  async run({ values, positionals, config, logger }) {
    const file = positionals[0];
    const agency = stringOption(values, 'agency');
    const feed = stringOption(values, 'feed');
    if (!agency || !feed || !file || positionals.length > 1) {
      throw HubError.invalidInput('BAD_ARGUMENTS', 'ingest needs --agency, --feed and one file (csp-hub help)');
    }
    const encoding = stringOption(values, 'encoding');
    const asEmail = stringOption(values, 'as');
    const asOf = stringOption(values, 'as-of');
    const layout = stringOption(values, 'layout');
    // Ctrl+C or SIGTERM: stop the submission; it rolls back and says so.
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stop.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
      stop.abort(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const code = await withHub(config, logger, (hub) =>
        ingestCommand(hub, logger, {
          agency,
          feed,
          file,
          ...(encoding ? { encoding } : {}),
          ...(asEmail ? { asEmail } : {}),
          ...(asOf ? { asOf } : {}),
          ...(layout ? { layout } : {}),
          signal: stop.signal,
          out: process.stdout,
          err: process.stderr,
        }),
      );
      return code === 130 && stop.signal.reason === 'SIGTERM' ? 143 : code;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
