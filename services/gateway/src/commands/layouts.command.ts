import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAuditIn } from '@csp-hub/authz';
import { User } from '@csp-hub/db';
import {
  BUILT_IN_LAYOUTS,
  findBuiltInLayout,
  findStoredLayout,
  LAYOUT_TRANSFORMS,
  listStoredLayouts,
  registerLayoutAudited,
  type RegisteredResult,
} from '@csp-hub/ingest';
import { candidatesAdapter, compileLayout, fileCandidate, layoutsDescription, parseLayout, suggestLayout, type KnownLayout } from '@csp-hub/layouts';
import { FEEDS, FEED_IDS, HubError, isFeedId, type FeedId, type NormalisedIncident, type RowReject } from '@csp-hub/taxonomy';
import type { Hub } from '../hub';
import { stringOption, type CliCommand } from './command';
import { withHub } from './hub-session';

/** Largest sample `layouts suggest` reads (the start of a bigger file is enough). */
const SAMPLE_BYTES = 4 * 1024 * 1024;

function readableFile(file: string | undefined, what: string): string {
  if (!file) throw HubError.invalidInput('BAD_ARGUMENTS', `name the ${what} (csp-hub layouts --help)`);
  if (!existsSync(file) || !statSync(file).isFile()) throw HubError.invalidInput('FILE_NOT_FOUND', `No such file: ${file}`);
  return file;
}

function feedOption(value: string | undefined): FeedId {
  if (!value) throw HubError.invalidInput('BAD_ARGUMENTS', `name the feed: --feed <feed> (${FEED_IDS.join(', ')})`);
  if (!isFeedId(value)) throw HubError.invalidInput('UNKNOWN_FEED', `There is no feed "${value}". Feeds: ${FEED_IDS.join(', ')}`);
  return value;
}

/** Who registers a layout: a partnership administrator, or an analyst for their own agency's feeds; without --as, the operating-system account. */
async function registrant(hub: Hub, email: string | undefined, feed: FeedId) {
  if (!email) return { userId: null, agencyId: null, partnershipId: null, roles: [] as string[], label: `cli:${os.userInfo().username}` };
  const user = await hub.orm.em.fork().findOne(User, { email }, { populate: ['agency', 'partnership'] });
  if (!user || !user.active) throw HubError.notFound('User', email);
  const admin = user.roles.includes('partnership_admin');
  if (!admin && !user.roles.includes('analyst')) {
    throw HubError.forbidden('NOT_ALLOWED', `${email} is not a partnership administrator or analyst, who register layouts`);
  }
  if (!admin && FEEDS[feed].agencyType !== user.agency.type) {
    throw HubError.forbidden('NOT_YOUR_FEED', `${email} is an analyst of a ${user.agency.type} agency and cannot register a layout for ${feed}; ask the partnership administrator`);
  }
  return { userId: user.id, agencyId: user.agency.id, partnershipId: user.partnership.id, roles: [...user.roles], label: email };
}

/** `layouts add`: validates, stores and audits in one transaction. */
async function add(hub: Hub, file: string, email: string | undefined): Promise<number> {
  const text = readFileSync(file, 'utf8');
  // Validate before anything else, so a bad file is reported whoever runs it.
  const feed = parseLayout(text, { fileName: path.basename(file), transforms: LAYOUT_TRANSFORMS }).feed;
  const who = await registrant(hub, email, feed);
  const result: RegisteredResult = await registerLayoutAudited(
    hub.pool,
    { text, fileName: path.basename(file), createdBy: { userId: who.userId, label: who.label } },
    async (tx, registered) => {
      await appendAuditIn(tx, {
        userId: who.userId,
        agencyId: who.agencyId,
        partnershipId: who.partnershipId,
        roles: who.roles,
        operation: 'create',
        objectType: 'Layout',
        objectId: `${registered.layout.id}@${registered.layout.version}`,
        detail: { via: 'cli', by: who.label, feed: registered.layout.feed, version: registered.layout.version, replacedVersion: registered.replacedVersion },
        rowCount: 1,
        agreementIds: [],
      });
    },
  );
  const { layout } = result;
  process.stdout.write(
    `layout ${layout.id} version ${layout.version} registered for ${layout.feed} (${layout.label})` +
      `${result.replacedVersion === null ? '' : `; it replaces version ${result.replacedVersion}`}.\n` +
      `Files whose header has ${result.definition.header.required.join(', ')} are now read with it; name it with csp-hub ingest --layout ${layout.id}.\n`,
  );
  return 0;
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

async function list(hub: Hub, feed: FeedId | undefined, all: boolean): Promise<number> {
  const stored = await listStoredLayouts(hub.pool, { ...(feed ? { feed } : {}), includeInactive: all });
  const rows = [
    ['ID', 'VERSION', 'FEED', 'KIND', 'STATUS', 'LABEL', 'SOURCE'],
    ...BUILT_IN_LAYOUTS.filter((l) => !feed || l.feed === feed).map((l) => [l.id, String(l.version), l.feed, l.kind === 'file' ? 'built-in' : 'built-in (code)', 'active', l.label, l.file]),
    ...stored.map((l) => [l.id, String(l.version), l.feed, 'registered', l.active ? 'active' : 'retired', l.label, `added ${l.createdAt.slice(0, 10)} by ${l.createdByLabel}`]),
  ];
  process.stdout.write(`${pad(rows)}\n`);
  return 0;
}

async function show(hub: Hub, id: string, version: number | undefined): Promise<number> {
  const builtIn = findBuiltInLayout(id);
  if (builtIn) {
    if (builtIn.source === null) {
      process.stdout.write(`# ${id} is read by code (${builtIn.file}), not a layout file: it needs the columns ${builtIn.required.join(', ')}.\n`);
    } else process.stdout.write(builtIn.source);
    return 0;
  }
  const stored = await findStoredLayout(hub.pool, id, version);
  if (!stored) throw HubError.notFound('Layout', version === undefined ? id : `${id} version ${version}`);
  process.stdout.write(stored.source.endsWith('\n') ? stored.source : `${stored.source}\n`);
  return 0;
}

function readSample(file: string): { bytes: Uint8Array; complete: boolean } {
  const size = statSync(file).size;
  if (size <= SAMPLE_BYTES) return { bytes: readFileSync(file), complete: true };
  const fd = openSync(file, 'r');
  try {
    const bytes = Buffer.alloc(SAMPLE_BYTES);
    const n = readSync(fd, bytes, 0, SAMPLE_BYTES, 0);
    return { bytes: bytes.subarray(0, n), complete: false };
  } finally {
    closeSync(fd);
  }
}

/** `layouts suggest`: no database; compares the sample with the built-in layouts. */
async function suggest(feed: FeedId, file: string): Promise<number> {
  const { bytes, complete } = readSample(file);
  const known: KnownLayout[] = BUILT_IN_LAYOUTS.map((l) => ({ id: l.id, label: l.label, feed: l.feed, required: l.required, ...(l.definition ? { definition: l.definition } : {}) }));
  const suggestion = await suggestLayout({ feed, sample: bytes, complete, fileName: path.basename(file), known });
  process.stdout.write(suggestion.yaml);
  return 0;
}

/** `layouts check`: validates a layout file and, given a sample, reads it the way ingest would (nothing is stored). */
async function check(file: string, sample: string | undefined): Promise<number> {
  const definition = parseLayout(readFileSync(file, 'utf8'), { fileName: path.basename(file), transforms: LAYOUT_TRANSFORMS });
  process.stdout.write(`${path.basename(file)} is a valid layout: ${definition.id} version ${definition.version} for ${definition.feed}.\n`);
  if (!sample) return 0;
  const layout = compileLayout(definition, LAYOUT_TRANSFORMS);
  const adapter = candidatesAdapter([fileCandidate(layout)], { description: layoutsDescription(layout.feed, layout, [layout]) });
  let encoding = '';
  let accepted = 0;
  let first: NormalisedIncident | undefined;
  const rejects: RowReject[] = [];
  let rejected = 0;
  for await (const batch of adapter.read(createReadStream(sample), { onEncoding: (e) => (encoding = e) })) {
    for (const item of batch) {
      if (item.kind === 'incident') {
        accepted++;
        first ??= item;
      } else if (item.kind === 'reject') {
        rejected++;
        if (rejects.length < 10) rejects.push(item);
      }
    }
  }
  process.stdout.write(`${path.basename(sample)} (${encoding}): ${(accepted + rejected).toLocaleString('en-GB')} rows, ${accepted.toLocaleString('en-GB')} read, ${rejected.toLocaleString('en-GB')} rejected.\n`);
  for (const r of rejects) process.stdout.write(`  row ${r.rowNumber}${r.column ? ` [${r.column}]` : ''} ${r.reason}: ${r.message}\n`);
  if (first) process.stdout.write(`first row as the hub stores it:\n${JSON.stringify(first, null, 2)}\n`);
  return accepted === 0 ? 1 : 0;
}

export const layoutsCommand: CliCommand = {
  name: 'layouts',
  usage:
    '  layouts add <file> [--as <email>]   register a layout file (YAML or JSON); a new version of a layout retires the old\n' +
    '  layouts list [--feed <feed>] [--all] built-in and registered layouts (--all: retired versions too)\n' +
    '  layouts show <id> [--version <n>]   print a layout file\n' +
    '  layouts suggest --feed <feed> <sample.csv>\n' +
    '                                      propose a layout for an export (a person checks it before adding)\n' +
    '  layouts check <file> [<sample.csv>] validate a layout file; read a sample with it (nothing is stored)',
  options: { as: { type: 'string' }, feed: { type: 'string' }, version: { type: 'string' }, all: { type: 'boolean', default: false } },
  async run({ values, positionals, config, logger }) {
    const [sub, ...args] = positionals;
    switch (sub) {
      case 'add': {
        const file = readableFile(args[0], 'layout file');
        return withHub(config, logger, (hub) => add(hub, file, stringOption(values, 'as')));
      }
      case 'list': {
        const feed = values.feed === undefined ? undefined : feedOption(stringOption(values, 'feed'));
        return withHub(config, logger, (hub) => list(hub, feed, values.all === true));
      }
      case 'show': {
        const id = args[0];
        if (!id) throw HubError.invalidInput('BAD_ARGUMENTS', 'usage: csp-hub layouts show <id> [--version <n>]');
        const v = stringOption(values, 'version');
        if (v !== undefined && !/^\d{1,6}$/.test(v)) throw HubError.invalidInput('BAD_ARGUMENTS', '--version is a whole number');
        return withHub(config, logger, (hub) => show(hub, id, v === undefined ? undefined : Number(v)));
      }
      case 'suggest':
        return suggest(feedOption(stringOption(values, 'feed')), readableFile(args[0], 'sample CSV file'));
      case 'check':
        return check(readableFile(args[0], 'layout file'), args[1] === undefined ? undefined : readableFile(args[1], 'sample CSV file'));
      default:
        throw HubError.invalidInput('BAD_ARGUMENTS', `usage:\n${layoutsCommand.usage}`);
    }
  },
};
