import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import type { GraphQLBody, TestHub } from '../../support/hub';
import { splitCsv } from '@csp-hub/adapter-kit/testing';
import { istvSubmissionCsv, policeStreetCsv as writePoliceStreetCsv } from '@csp-hub/ingest';

export type GraphQLError = NonNullable<GraphQLBody['errors']>[number];

/** The errors of a response, asserting there is at least one. */
export function errorsOf(body: GraphQLBody): GraphQLError[] {
  expect(body.errors, JSON.stringify(body)).toBeDefined();
  expect(body.errors!.length).toBeGreaterThan(0);
  return body.errors!;
}

/** Every error carries `code` (and `reason` when given). */
export function expectErrorCode(body: GraphQLBody, code: string, reason?: string): GraphQLError[] {
  const errors = errorsOf(body);
  for (const e of errors) {
    expect(e.extensions?.code, JSON.stringify(e)).toBe(code);
    if (reason !== undefined) expect(e.extensions?.reason, JSON.stringify(e)).toBe(reason);
  }
  return errors;
}

/** Asserts the text (an error message or a whole response) mentions none of the secrets. */
export function expectNoneOf(text: string, secrets: (string | number)[]): void {
  for (const s of secrets) {
    const needle = String(s);
    if (needle.length === 0) continue;
    expect(text.includes(needle), `"${needle}" leaked in: ${text.slice(0, 300)}`).toBe(false);
  }
}

/** A GraphQL call that must succeed without errors; returns data. */
export async function gqlData<T>(hub: TestHub, token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const { status, body } = await hub.gql(query, { token, ...(variables ? { variables } : {}) });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return body.data as T;
}

/** An RFC 4180 reader independent of the product's CSV code (shared test helper). */
export const parseCsv = splitCsv;

export interface CsvExport {
  status: number;
  header: string[];
  rows: Record<string, string>[];
  text: string;
}

/** GET /api/exports/incidents.csv with query parameters. */
export async function exportCsv(hub: TestHub, token: string, query: Record<string, string> = {}): Promise<CsvExport> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${hub.base}/api/exports/incidents.csv${qs ? `?${qs}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, header: [], rows: [], text };
  const [header, ...rest] = parseCsv(text);
  return { status: res.status, header: header!, rows: rest.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? '']))), text };
}

/** POST /api/submissions?feed=... with the file as the body. */
export async function upload(hub: TestHub, token: string, feed: string, body: string, extra: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const qs = new URLSearchParams({ feed, fileName: `${feed}.csv`, ...extra }).toString();
  const res = await fetch(`${hub.base}/api/submissions?${qs}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export const CLI = path.resolve(import.meta.dirname, '../../../services/gateway/bin/csp-hub.js');

/** Runs the csp-hub CLI as a child process (asynchronously, so the in-process gateway keeps running). */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A police.street CSV (data.police.uk layout), Leicestershire Police in Charnwood. */
export function policeStreetCsv(rows: { crimeId: string; month: string; lsoa: string; location: string; crimeType?: string }[]): string {
  return writePoliceStreetCsv(rows.map((r) => ({
    crimeId: r.crimeId, month: r.month, force: 'Leicestershire Police', longitude: -1.2, latitude: 52.77, location: r.location,
    lsoaCode: r.lsoa, lsoaName: 'Charnwood 001A', crimeType: r.crimeType ?? 'Burglary', outcome: 'Under investigation',
  })));
}

/** An ISTV minimum-dataset CSV with one row per assault (one submission: the first row's month, site RWEAA). */
export function istvCsv(rows: { assaultAt: string; arrivalAt: string; place: string }[]): string {
  const month = rows[0]?.assaultAt.slice(0, 7) ?? '2024-01';
  return istvSubmissionCsv(
    { start: `${month}-01`, end: `${month}-28`, siteCode: 'RWEAA' },
    rows.map((r) => ({ arrivalAt: r.arrivalAt, assaultAt: r.assaultAt, method: 'Body part', methodOther: '', locationType: 'Home', locationDescription: r.place })),
  );
}
