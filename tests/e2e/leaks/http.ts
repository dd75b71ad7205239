import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import type { GraphQLBody, TestHub } from '../../support/hub';
import { splitCsv } from '@csp-hub/adapter-kit/testing';

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

/** A police.street CSV (data.police.uk layout). */
export function policeStreetCsv(rows: { crimeId: string; month: string; lsoa: string; location: string; crimeType?: string }[]): string {
  const header = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context';
  const lines = rows.map(
    (r) => `${r.crimeId},${r.month},Leicestershire Police,Leicestershire Police,-1.2,52.77,${r.location},${r.lsoa},Charnwood 001A,${r.crimeType ?? 'Burglary'},Under investigation,`,
  );
  return `${header}\n${lines.join('\n')}\n`;
}

/** An ISTV minimum-dataset CSV with one row per assault. */
export function istvCsv(rows: { assaultAt: string; arrivalAt: string; place: string }[]): string {
  const header = [
    'REPORTING PERIOD START DATE', 'REPORTING PERIOD END DATE', 'SITE CODE (OF TREATMENT)',
    'ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT', 'ASSAULT DATE AND TIME', 'ASSAULT METHOD',
    'ASSAULT METHOD OTHER DESCRIPTION', 'ASSAULT LOCATION TYPE', 'ASSAULT LOCATION DESCRIPTION',
  ].join(',');
  const lines = rows.map((r) => `${r.assaultAt.slice(0, 7)}-01,${r.assaultAt.slice(0, 7)}-28,RWEAA,${r.arrivalAt},${r.assaultAt},Body part,,Home,${r.place}`);
  return `${header}\n${lines.join('\n')}\n`;
}
