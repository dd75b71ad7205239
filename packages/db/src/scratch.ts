import { mkdtemp, chmod, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dropDatabase, ensureDatabase, withDatabase } from './database';
import { freePort, startEmbeddedPostgres } from './embedded';

export interface ScratchServer {
  /** Admin URL (database `postgres`) of the server. */
  adminUrl: string;
  /** A fresh, empty database on the server. */
  createDatabase(name: string, template?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server for tests and tooling: the one at `externalUrl`
 * when given (databases are created on it), otherwise an embedded one in a
 * temporary folder on a free port, deleted on stop.
 */
export async function startScratchServer(externalUrl?: string): Promise<ScratchServer> {
  if (externalUrl) {
    const adminUrl = withDatabase(externalUrl, 'postgres');
    return {
      adminUrl,
      createDatabase: async (name, template) => {
        await ensureDatabase(adminUrl, name, template);
        return withDatabase(adminUrl, name);
      },
      dropDatabase: (name) => dropDatabase(adminUrl, name),
      stop: async () => undefined,
    };
  }
  const parent = await mkdtemp(path.join(os.tmpdir(), 'csp-hub-pg-'));
  // The server runs as the postgres account when we are root: it must reach the folder.
  await chmod(parent, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), port: await freePort(), ephemeral: true });
  return {
    adminUrl: server.adminUrl,
    createDatabase: async (name, template) => {
      await ensureDatabase(server.adminUrl, name, template);
      return withDatabase(server.adminUrl, name);
    },
    dropDatabase: (name) => dropDatabase(server.adminUrl, name),
    stop: async () => {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}
