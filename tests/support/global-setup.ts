import type { TestProject } from 'vitest/node';
import { createOrm, runMigrations, seedDemo, startScratchServer, type ScratchServer } from '@csp-hub/db';

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
  const url = await server.createDatabase(template);
  const orm = await createOrm({ url });
  try {
    await runMigrations(orm);
    await seedDemo(orm.em.fork());
  } finally {
    await orm.close();
  }
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplate', template);
}

export async function teardown(): Promise<void> {
  if (server && templateName) await server.dropDatabase(templateName);
  await server?.stop();
}
