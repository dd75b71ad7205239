import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedData } from '@csp-hub/adapter-kit/testing';
import { User, demoEmail } from '@csp-hub/db';
import { startTestHub, type TestHub } from '../support/hub';
import {
  COL,
  agencyId,
  cliEnv,
  csvRow,
  getText,
  incidentCountOf,
  progressLines,
  rejectsOf,
  runCli,
  sampleRows,
  sha256,
  streetCsv,
  streetFile,
  streetRows,
  STREET_HEADER,
  submissionRow,
  tableCounts,
  tally,
  upload,
} from './ingest/support';

const STREET = 'police.street';
const POLICE_ANALYST = demoEmail('charnwood', 'police.analyst');
const POLICE_TASKING = demoEmail('charnwood', 'police.tasking');
const POLICE_ANALYST_HARBOROUGH = demoEmail('harborough', 'police.analyst');
const FIRE_ANALYST = demoEmail('charnwood', 'fire.analyst');
const CHAIR = demoEmail('charnwood', 'district.chair');

/** Stored rows of one submission per "month crime-type". */
async function storedByMonthType(hub: TestHub, submissionId: number): Promise<Record<string, number>> {
  const r = await hub.db.pool.query<{ key: string; n: number }>(
    `select to_char(occurred_month, 'YYYY-MM') || ' ' || source_category as key, count(*)::int as n
     from incident where submission_id = $1 group by 1`,
    [submissionId],
  );
  return Object.fromEntries(r.rows.map((row) => [row.key, row.n]));
}

const fileByMonthType = (rows: string[][]): Record<string, number> => tally(rows, (f) => `${f[COL.month]} ${f[COL.crimeType]}`);

interface RejectItem {
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
  message: string;
}
const SUBMISSION_META = 'id agencyId feed fileName status rowsRead rowsAccepted rowsRejected submittedVia';

describe('ingest entry points: HTTP upload, GraphQL, CLI', () => {
  let hub: TestHub;
  let analystToken: string;
  let leicsPolice: number;
  let tmp: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    hub = await startTestHub('ingest-entry');
    analystToken = await hub.tokenFor(POLICE_ANALYST);
    leicsPolice = await agencyId(hub.db.pool, 'leicestershire-police');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-ingest-entry-'));
    env = cliEnv(hub.db, path.join(tmp, 'data'));
  });
  afterAll(async () => {
    await hub?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe('HTTP upload', () => {
    let firstId: number;
    const file = () => streetFile('2024-01');

    it('a police analyst uploads a real month: 201 with counts, and the stored counts per crime type per month equal the file', async () => {
      const bytes = readFileSync(file());
      const rows = streetRows(file());
      const res = await upload(hub.base, analystToken, bytes, { feed: STREET, fileName: '2024-01-leicestershire-street.csv' });
      expect(res.status).toBe(201);
      expect(res.submission).toMatchObject({
        status: 'accepted',
        feed: STREET,
        fileName: '2024-01-leicestershire-street.csv',
        format: 'csv',
        encoding: 'utf-8',
        bytes: bytes.length,
        checksum: sha256(bytes),
        rowsRead: rows.length,
        rowsAccepted: rows.length,
        rowsRejected: 0,
        rowsInserted: rows.length,
        rowsUpdated: 0,
        duplicateOf: null,
        errorCode: null,
      });
      firstId = res.submission!.submissionId;
      expect(await storedByMonthType(hub, firstId)).toEqual(fileByMonthType(rows));
      const analyst = await hub.orm.em.fork().findOneOrFail(User, { email: POLICE_ANALYST });
      expect(await submissionRow(hub.db.pool, firstId)).toMatchObject({
        status: 'accepted',
        agency_id: leicsPolice,
        submitted_via: 'http',
        submitted_by_id: analyst.id,
        rows_read: rows.length,
      });
      expect((await tableCounts(hub.db.pool)).incidents).toBe(rows.length);
    });

    it('the same bytes again: 200 duplicate, nothing new stored and nothing changed', async () => {
      const before = await tableCounts(hub.db.pool);
      const res = await upload(hub.base, analystToken, readFileSync(file()), { feed: STREET, fileName: 'again.csv' });
      expect(res.status).toBe(200);
      expect(res.submission).toMatchObject({
        status: 'duplicate',
        duplicateOf: firstId,
        errorCode: 'DUPLICATE_FILE',
        errorMessage: `This exact file was already accepted as submission ${firstId}; nothing was stored again.`,
        rowsAccepted: 0,
        rowsInserted: 0,
        rowsUpdated: 0,
      });
      expect(await tableCounts(hub.db.pool)).toEqual({ ...before, submissions: before.submissions + 1 });
      expect(await incidentCountOf(hub.db.pool, res.submission!.submissionId)).toBe(0);
      expect(await incidentCountOf(hub.db.pool, firstId)).toBe(before.incidents);
    });

    it.each([
      ['the partnership chair', CHAIR],
      ["a tasking member of the police force's own staff", POLICE_TASKING],
    ])('%s may not upload: 403 FORBIDDEN, nothing recorded', async (_who, email) => {
      const before = await tableCounts(hub.db.pool);
      const res = await fetch(`${hub.base}/api/submissions?feed=police.street&fileName=x.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await hub.tokenFor(email)}`, 'content-type': 'text/csv' },
        body: readFileSync(streetFile('2024-02')),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'NOT_AN_ANALYST', message: "Only analysts submit their agency's data feeds" } });
      expect(await tableCounts(hub.db.pool)).toEqual(before);
    });

    it('a police analyst uploading fire.incidents: 422 refused FEED_NOT_FOR_AGENCY, nothing stored', async () => {
      const before = await tableCounts(hub.db.pool);
      const bytes = readFileSync(sharedData('fire', 'lfb-incident-records-excerpt-20rows.csv'));
      const res = await upload(hub.base, analystToken, bytes, { feed: 'fire.incidents', fileName: 'lfb.csv' });
      expect(res.status).toBe(422);
      expect(res.submission).toMatchObject({
        status: 'refused',
        feed: 'fire.incidents',
        errorCode: 'FEED_NOT_FOR_AGENCY',
        errorMessage: 'The fire.incidents feed is for fire agencies; this agency is police.',
        rowsRead: 0,
        bytes: bytes.length,
        checksum: sha256(bytes),
      });
      expect(await tableCounts(hub.db.pool)).toEqual({ ...before, submissions: before.submissions + 1 });
      expect(await submissionRow(hub.db.pool, res.submission!.submissionId)).toMatchObject({ status: 'refused', error_code: 'FEED_NOT_FOR_AGENCY', agency_id: leicsPolice });
    });

    it('an upload with no token: 401, nothing recorded', async () => {
      const before = await tableCounts(hub.db.pool);
      const res = await upload(hub.base, undefined, readFileSync(streetFile('2024-02')), { feed: STREET, fileName: 'anon.csv' });
      expect(res.status).toBe(401);
      expect(res.error).toEqual({ code: 'TOKEN_MISSING', message: 'Sign in: send Authorization: Bearer <token>' });
      expect(res.submission).toBeUndefined();
      expect(await tableCounts(hub.db.pool)).toEqual(before);
    });
  });

  describe('GraphQL: who sees a submission and its rejects', () => {
    let id: string;
    let expectedRejects: RejectItem[];
    let rows: string[][];

    beforeAll(async () => {
      rows = sampleRows(30, '2023-11', 'graphql');
      rows[4]![COL.month] = '2023-15';
      rows[11]![COL.crimeType] = 'Burglary (attempted)';
      const short = rows[19]!.slice(0, 11);
      const lines = rows.map((f, i) => (i === 19 ? csvRow(short) : csvRow(f)));
      const res = await upload(hub.base, analystToken, `${STREET_HEADER}\n${lines.join('\n')}\n`, { feed: STREET, fileName: 'some-bad-rows.csv' });
      expect(res.status).toBe(201);
      expect(res.submission).toMatchObject({ status: 'accepted', rowsRead: 30, rowsAccepted: 27, rowsRejected: 3, rowsInserted: 27 });
      id = String(res.submission!.submissionId);
      expectedRejects = [
        { rowNumber: 5, column: 'Month', value: '2023-15', reason: 'INVALID_DATE', message: '"2023-15" has no month 15' },
        { rowNumber: 12, column: 'Crime type', value: 'Burglary (attempted)', reason: 'UNKNOWN_CATEGORY', message: '"Burglary (attempted)" is not a data.police.uk crime type' },
        { rowNumber: 20, column: null, value: short.join(','), reason: 'COLUMN_COUNT', message: 'Expected 12 fields, found 11' },
      ];
      // The database holds exactly the good rows and the three rejects.
      expect(await incidentCountOf(hub.db.pool, Number(id))).toBe(27);
      expect((await rejectsOf(hub.db.pool, Number(id))).map((r) => ({ rowNumber: r.row_number, column: r.column_name, value: r.value, reason: r.reason, message: r.message }))).toEqual(
        expectedRejects,
      );
    });

    const SUBMISSION_WITH_REJECTS = `query($id: ID!) { submission(id: $id) { ${SUBMISSION_META} rejects { total items { rowNumber column value reason message } } } }`;

    it.each([
      ['the analyst who uploaded it', POLICE_ANALYST],
      ['a tasking member of the same force', POLICE_TASKING],
      ["the same force's analyst in another partnership", POLICE_ANALYST_HARBOROUGH],
    ])('%s sees the submission and all its rejects', async (_who, email) => {
      const token = await hub.tokenFor(email);
      const { status, body } = await hub.gql(SUBMISSION_WITH_REJECTS, { token, variables: { id } });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?.submission).toEqual({
        id,
        agencyId: String(leicsPolice),
        feed: STREET,
        fileName: 'some-bad-rows.csv',
        status: 'accepted',
        rowsRead: 30,
        rowsAccepted: 27,
        rowsRejected: 3,
        submittedVia: 'http',
        rejects: { total: 3, items: expectedRejects },
      });
      const list = await hub.gql('{ submissions(feed: "police.street") { id status } }', { token });
      expect((list.body.data?.submissions as { id: string }[]).map((s) => s.id)).toContain(id);
      const csv = await getText(hub.base, token, `/api/submissions/${id}/rejects.csv`);
      expect(csv.status).toBe(200);
    });

    it("another agency's analyst gets NOT_FOUND for the submission and does not see it listed", async () => {
      const token = await hub.tokenFor(FIRE_ANALYST);
      const { body } = await hub.gql(`query($id: ID!) { submission(id: $id) { ${SUBMISSION_META} } }`, { token, variables: { id } });
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]).toMatchObject({ message: `Submission ${id} was not found`, extensions: { code: 'NOT_FOUND' } });
      const withRejects = await hub.gql(SUBMISSION_WITH_REJECTS, { token, variables: { id } });
      expect(withRejects.body.data ?? null).toBeNull();
      expect(withRejects.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const list = await hub.gql('{ submissions(limit: 200) { id } }', { token });
      expect(list.body.errors).toBeUndefined();
      expect((list.body.data?.submissions as { id: string }[]).map((s) => s.id)).not.toContain(id);
      const csv = await getText(hub.base, token, `/api/submissions/${id}/rejects.csv`);
      expect(csv.status).toBe(404);
    });

    it("the partnership chair (a council officer) sees what happened, but not the file's name, counts or rejects (docs/authorization.md)", async () => {
      const token = await hub.tokenFor(CHAIR);
      const meta = await hub.gql(`query($id: ID!) { submission(id: $id) { ${SUBMISSION_META} withheld } }`, { token, variables: { id } });
      expect(meta.body.errors).toBeUndefined();
      expect(meta.body.data?.submission).toEqual({
        id,
        agencyId: String(leicsPolice),
        feed: STREET,
        fileName: null,
        status: 'accepted',
        rowsRead: null,
        rowsAccepted: null,
        rowsRejected: null,
        submittedVia: 'http',
        withheld: expect.arrayContaining(['fileName', 'rowsRead', 'rowsAccepted', 'rowsRejected', 'errorMessage', 'quality', 'header', 'submittedByLabel']),
      });
      const list = await hub.gql('{ submissions(feed: "police.street") { id } }', { token });
      expect((list.body.data?.submissions as { id: string }[]).map((s) => s.id)).toContain(id);

      // Rejects hold raw source values: only the submitting agency sees them; to anyone else they do not exist.
      const rejects = await hub.gql(SUBMISSION_WITH_REJECTS, { token, variables: { id } });
      expect(rejects.body.data ?? null).toBeNull();
      expect(rejects.body.errors).toHaveLength(1);
      expect(rejects.body.errors?.[0]).toMatchObject({ path: ['submission', 'rejects'], extensions: { code: 'NOT_FOUND' } });
      expect(JSON.stringify(rejects.body)).not.toContain('Burglary (attempted)');
      const csv = await getText(hub.base, token, `/api/submissions/${id}/rejects.csv`);
      expect(csv.status).toBe(404);
      expect(csv.text).not.toContain('Burglary (attempted)');
    });
  });

  describe('CLI', () => {
    it('ingests a real month: progress on stderr, a summary on stdout, exit 0', async () => {
      const file = streetFile('2024-02');
      const rows = streetRows(file);
      const n = rows.length.toLocaleString('en-GB');
      const size = statSync(file).size;
      const run = await runCli(['ingest', '--agency', 'leicestershire-police', '--feed', 'street', '--as', POLICE_ANALYST, file], { env, timeoutMs: 120_000 });
      expect(run.code).toBe(0);
      const stderrLines = run.stderr.split('\n').filter((l) => l !== '');
      expect(stderrLines.length).toBeGreaterThan(0);
      const progress = progressLines(run.stderr);
      expect(progress).toHaveLength(stderrLines.length);
      const last = progress[progress.length - 1]!;
      expect([last[1], last[2], last[3], last[4]]).toEqual(['100', (size / 1024 ** 2).toFixed(1), (size / 1024 ** 2).toFixed(1), n]);
      expect(run.stdout).toMatch(new RegExp(`^submission (\\d+) accepted: ${n} rows read, ${n} accepted \\(${n} new, 0 updated, 0 unchanged\\), 0 rejected, in [\\d.]+ s\\n$`));
      const id = Number(/^submission (\d+)/.exec(run.stdout)![1]);
      expect(await submissionRow(hub.db.pool, id)).toMatchObject({
        status: 'accepted',
        agency_id: leicsPolice,
        feed: STREET,
        file_name: path.basename(file),
        submitted_via: 'cli',
        submitted_by_label: POLICE_ANALYST,
        checksum: sha256(readFileSync(file)),
      });
      expect(await storedByMonthType(hub, id)).toEqual(fileByMonthType(rows));
    });

    it('a refused file exits 1 with the reason, records the refusal and stores nothing', async () => {
      const file = sharedData('council', 'BANES_Fix_My_Street_Sample_Dataset.csv');
      const before = await tableCounts(hub.db.pool);
      const run = await runCli(['ingest', '--agency', 'leicestershire-police', '--feed', STREET, file], { env, timeoutMs: 120_000 });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      const m = /refused \(WRONG_HEADER\): This is not a data\.police\.uk street-level crime file: missing columns Crime ID, Month, .*\nsubmission (\d+) records the refusal; nothing was stored\.\n$/.exec(run.stderr);
      expect(m, run.stderr).not.toBeNull();
      const id = Number(m![1]);
      expect(await submissionRow(hub.db.pool, id)).toMatchObject({ status: 'refused', error_code: 'WRONG_HEADER', rows_read: 0, submitted_via: 'cli', bytes: String(statSync(file).size) });
      expect(await tableCounts(hub.db.pool)).toEqual({ ...before, submissions: before.submissions + 1 });
    });

    it('--agency police is ambiguous (two forces) and says which codes to use; nothing is recorded', async () => {
      const forces = (await hub.db.pool.query<{ code: string }>(`select code from agency where type = 'police' order by code`)).rows.map((r) => r.code);
      expect(forces).toHaveLength(2);
      const before = await tableCounts(hub.db.pool);
      const run = await runCli(['ingest', '--agency', 'police', '--feed', STREET, streetFile('2024-03')], { env, timeoutMs: 120_000 });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`csp-hub: "police" could be ${forces.join(', ')}: pass --agency <code> (or --as <user e-mail>). (AMBIGUOUS_AGENCY)\n`);
      expect(await tableCounts(hub.db.pool)).toEqual(before);
    });
  });
});

describe('ingest: overlapping months', () => {
  let hub: TestHub;
  let token: string;
  let leicsPolice: number;
  beforeAll(async () => {
    hub = await startTestHub('ingest-overlap');
    token = await hub.tokenFor(POLICE_ANALYST);
    leicsPolice = await agencyId(hub.db.pool, 'leicestershire-police');
  });
  afterAll(async () => hub?.stop());

  /**
   * The records the files describe together: a crime is its Crime ID (a later
   * file's version wins); an ASB row (no Crime ID) is its content plus its
   * ordinal among identical rows of the same file.
   */
  function union(files: string[][][]): Map<string, string[]> {
    const records = new Map<string, string[]>();
    for (const rows of files) {
      const seen: Record<string, number> = {};
      for (const f of rows) {
        let key = f[COL.crimeId]!;
        if (key === '') {
          const content = f.join(',');
          seen[content] = (seen[content] ?? 0) + 1;
          key = `asb ${content} #${seen[content]}`;
        }
        records.set(key, f);
      }
    }
    return records;
  }

  it('the three real months, then a re-published month (outcome changed, rows reordered, one row dropped) updates, retires the dropped row, and never duplicates', async () => {
    const months = (['2024-01', '2024-02', '2024-03'] as const).map((m) => streetRows(streetFile(m)));
    const submissionIds: number[] = [];
    for (const [i, m] of (['2024-01', '2024-02', '2024-03'] as const).entries()) {
      const res = await upload(hub.base, token, readFileSync(streetFile(m)), { feed: STREET, fileName: `${m}.csv` });
      expect(res.status).toBe(201);
      expect(res.submission).toMatchObject({ status: 'accepted', rowsInserted: months[i]!.length, rowsRejected: 0, rowsRetired: 0, periods: [m], revises: [] });
      submissionIds.push(res.submission!.submissionId);
    }
    const afterThree = await tableCounts(hub.db.pool);
    expect(afterThree.incidents).toBe(months[0]!.length + months[1]!.length + months[2]!.length);

    // February re-published: one crime's outcome changed, one crime left out, every row in a different order.
    const february = months[1]!.map((f) => f.slice());
    const changed = february.findIndex((f) => f[COL.crimeId] !== '' && f[COL.outcome] === 'Unable to prosecute suspect');
    expect(changed).toBeGreaterThanOrEqual(0);
    february[changed]![COL.outcome] = 'Offender given a caution';
    const changedId = february[changed]![COL.crimeId]!;
    const dropped = february.findIndex((f, i) => i !== changed && f[COL.crimeId] !== '');
    const droppedId = february[dropped]![COL.crimeId]!;
    const republished = february.filter((_, i) => i !== dropped).reverse();
    const res = await upload(hub.base, token, streetCsv(republished), { feed: STREET, fileName: '2024-02-republished.csv' });
    expect(res.status).toBe(201);
    expect(res.submission).toMatchObject({
      status: 'accepted',
      rowsRead: republished.length,
      rowsAccepted: republished.length,
      rowsRejected: 0,
      rowsInserted: 0,
      rowsUpdated: 1,
      rowsRetired: 1,
      periods: ['2024-02'],
      revises: [submissionIds[1]],
    });
    // The dropped row is kept for history (retired), so the table holds as many rows as before.
    expect(await tableCounts(hub.db.pool)).toEqual({ ...afterThree, submissions: afterThree.submissions + 1 });

    // Totals of the rows in force per month, crime type and outcome equal January, the republished February and March.
    const expected = tally(union([months[0]!, republished, months[2]!]).values(), (f) => `${f[COL.month]}|${f[COL.crimeType]}|${f[COL.outcome]}`);
    const stored = await hub.db.pool.query<{ key: string; n: number }>(
      `select to_char(occurred_month, 'YYYY-MM') || '|' || source_category || '|' || coalesce(outcome, '') as key, count(*)::int as n
       from incident where agency_id = $1 and feed = $2 and retired_at is null group by 1`,
      [leicsPolice, STREET],
    );
    expect(Object.fromEntries(stored.rows.map((r) => [r.key, r.n]))).toEqual(expected);

    const row = await hub.db.pool.query('select outcome, submission_id::int as submission_id from incident where natural_key = $1', [changedId]);
    expect(row.rows).toEqual([{ outcome: 'Offender given a caution', submission_id: res.submission!.submissionId }]);
    const kept = await hub.db.pool.query('select retired_by_submission_id::int as by, retired_at is not null as retired from incident where natural_key = $1', [droppedId]);
    expect(kept.rows).toEqual([{ by: res.submission!.submissionId, retired: true }]);
    expect(await incidentCountOf(hub.db.pool, res.submission!.submissionId)).toBe(1);
  });
});
