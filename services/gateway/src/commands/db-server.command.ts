import path from 'node:path';
import { embeddedStatus, serverStatus, stopPostmaster, type EmbeddedStatus } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import type { Config } from '../config';
import type { CliCommand } from './command';

/** A sentence or two per state: what is running, who stops it, and what to do. */
export function describeEmbedded(status: EmbeddedStatus, configuredPort: number): string {
  switch (status.state) {
    case 'absent':
      return `embedded PostgreSQL: not initialised (no cluster under ${status.dataDir}); the first csp-hub start creates it\n`;
    case 'stopped':
      return `embedded PostgreSQL: stopped (cluster in ${status.clusterDir}); csp-hub starts it when it needs it\n`;
    case 'stale':
      return `embedded PostgreSQL: not running, but ${status.problem}.\n  ${status.advice}\n`;
    case 'running': {
      const lines = [`embedded PostgreSQL: running, pid ${status.pid}, port ${status.port}, cluster in ${status.clusterDir}`];
      if (status.port !== configuredPort) lines.push(`  note: CSP_HUB_PG_PORT is ${configuredPort}; csp-hub uses the running server on ${status.port} until it is stopped`);
      if (status.owner?.alive) lines.push(`  owned by csp-hub pid ${status.owner.hubPid}, which stops it when it exits`);
      else {
        lines.push(
          `  orphaned: ${status.owner ? `the csp-hub that started it (pid ${status.owner.hubPid}) is gone` : 'no csp-hub owns it'}; ` +
            'the next csp-hub start takes it over, or stop it now with `csp-hub db stop`',
        );
      }
      return `${lines.join('\n')}\n`;
    }
  }
}

async function externalStatus(url: string): Promise<{ text: string; ok: boolean }> {
  const host = new URL(url).host;
  const status = await serverStatus(url);
  return status.ok
    ? { text: `external PostgreSQL (DATABASE_URL) at ${host}: reachable, version ${status.version}\n`, ok: true }
    : { text: `external PostgreSQL (DATABASE_URL) at ${host}: NOT reachable (${status.reason})\n`, ok: false };
}

async function stop(config: Config, force: boolean): Promise<number> {
  if (config.DATABASE_URL) {
    throw HubError.invalidInput('EXTERNAL_DATABASE', 'DATABASE_URL is set: csp-hub does not manage that server; stop it the way it was started');
  }
  const dataDir = path.join(config.CSP_HUB_DATA_DIR, 'postgres');
  const status = embeddedStatus(dataDir);
  if (status.state !== 'running') {
    process.stdout.write(describeEmbedded(status, config.CSP_HUB_PG_PORT));
    return 0;
  }
  if (status.owner?.alive && !force) {
    throw HubError.conflict(
      'DATABASE_IN_USE',
      `csp-hub pid ${status.owner.hubPid} is running on this database and stops it when it exits: stop that process (kill -TERM ${status.owner.hubPid}), or pass --force to stop the database under it`,
    );
  }
  process.stderr.write(`stopping embedded PostgreSQL pid ${status.pid} on port ${status.port} (fast shutdown: open transactions roll back) ...\n`);
  const how = await stopPostmaster(status.pid);
  process.stdout.write(
    how === 'forced'
      ? `embedded PostgreSQL did not stop within 30 s and was shut down immediately; it recovers from its log on the next start\n`
      : 'embedded PostgreSQL stopped\n',
  );
  return 0;
}

export const dbCommand: CliCommand = {
  name: 'db',
  usage:
    '  db status                           the database: embedded server running? on which port, owned by which csp-hub\n' +
    '                                      (an orphan left by a killed hub, a stale lock file), or DATABASE_URL reachable?\n' +
    '  db stop [--force]                   stop the embedded PostgreSQL (refused while a live csp-hub owns it, unless --force)',
  options: { force: { type: 'boolean', default: false } },
  async run({ positionals, values, config }) {
    const sub = positionals[0];
    if (sub === 'status' && positionals.length === 1) {
      if (config.DATABASE_URL) {
        const r = await externalStatus(config.DATABASE_URL);
        process.stdout.write(r.text);
        return r.ok ? 0 : 1;
      }
      process.stdout.write(describeEmbedded(embeddedStatus(path.join(config.CSP_HUB_DATA_DIR, 'postgres')), config.CSP_HUB_PG_PORT));
      return 0;
    }
    if (sub === 'stop' && positionals.length === 1) return stop(config, values.force === true);
    throw HubError.invalidInput('BAD_ARGUMENTS', 'usage: csp-hub db status | csp-hub db stop [--force]');
  },
};
