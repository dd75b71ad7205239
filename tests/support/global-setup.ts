import type { TestProject } from 'vitest/node';
import path from 'node:path';
import pg from 'pg';
import { createOrm, migrateDatabase, seedDemo, setUpRoles, startScratchServer, type ScratchServer } from '@csp-hub/db';
import { importGeography } from '@csp-hub/ingest';

/** The shared real-data folder (PROVENANCE.md), next to the repository unless CSP_HUB_SHARED_DATA says otherwise. */
export const SHARED_DATA = process.env.CSP_HUB_SHARED_DATA ?? path.resolve(import.meta.dirname, '../../../shared/data');

/**
 * One PostgreSQL server per test run: DATABASE_URL's server when set, otherwise
 * an embedded one on a free port. The template database gets the real
 * migrations and the demo seed; each test file copies it (CREATE DATABASE ... TEMPLATE).
 */
let server: ScratchServer | undefined;
let templateName: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startScratchServer(process.env.DATABASE_URL);
  const template = `csp_hub_template_${process.pid}`;
  templateName = template;
  await server.createDatabase(template);
  // Two roles as in production (ADR 0018): migrations as the owner; the seed, the
  // geography and every test hub as the application role, so a missing grant fails a test.
  const roles = await setUpRoles(server.adminUrl, template);
  await migrateDatabase({ url: roles.appUrl, migrationUrl: roles.ownerUrl });
  const orm = await createOrm({ url: roles.appUrl });
  try {
    await seedDemo(orm.em.fork());
  } finally {
    await orm.close();
  }
  const pool = new pg.Pool({ connectionString: roles.appUrl, max: 2 });
  try {
    await importGeography(pool, SHARED_DATA);
  } finally {
    await pool.end();
  }
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplate', template);
}

export async function teardown(): Promise<void> {
  if (server && templateName) await server.dropDatabase(templateName);
  await server?.stop();
}
