import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { auditHead, signCheckpoint, type AuditCheckpoint } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';
import type { Config } from './config';
import type { ReadinessCheck } from './http/health';
import type { Logger } from './logger';

/**
 * The audit checkpoint signing key: AUDIT_CHECKPOINT_KEY or _FILE (an Ed25519
 * private key, PEM). Outside production one is generated once under
 * CSP_HUB_DATA_DIR/keys. The database never holds it: that is the point.
 */
export function loadCheckpointKey(config: Config): KeyObject {
  const fromFile = config.AUDIT_CHECKPOINT_KEY_FILE ? readFileSync(config.AUDIT_CHECKPOINT_KEY_FILE, 'utf8') : '';
  const pem = config.AUDIT_CHECKPOINT_KEY || fromFile;
  if (pem) {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new HubError('other', 'CHECKPOINT_KEY', 'AUDIT_CHECKPOINT_KEY must be an Ed25519 private key (PEM)');
    return key;
  }
  if (config.NODE_ENV === 'production') {
    throw new HubError('other', 'CHECKPOINT_KEY', 'production needs AUDIT_CHECKPOINT_KEY or AUDIT_CHECKPOINT_KEY_FILE (an Ed25519 private key)');
  }
  const dir = path.join(config.CSP_HUB_DATA_DIR, 'keys');
  const file = path.join(dir, 'dev-audit-checkpoint-ed25519-private.pem');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateKeyPairSync('ed25519');
    writeFileSync(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return createPrivateKey(readFileSync(file, 'utf8'));
}

/** The key a checkpoint is checked with: AUDIT_CHECKPOINT_PUBLIC_KEY_FILE where only verification runs, else the signing key's. */
export function loadCheckpointPublicKey(config: Config): KeyObject {
  if (config.AUDIT_CHECKPOINT_PUBLIC_KEY_FILE) return createPublicKey(readFileSync(config.AUDIT_CHECKPOINT_PUBLIC_KEY_FILE, 'utf8'));
  return createPublicKey(loadCheckpointKey(config));
}

/** Writes a checkpoint as <dir>/audit-checkpoint-<at>.json and <dir>/latest.json (atomically replaced). */
export function writeCheckpoint(dir: string, checkpoint: AuditCheckpoint): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
  const file = path.join(dir, `audit-checkpoint-${checkpoint.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  const latest = path.join(dir, 'latest.json');
  writeFileSync(`${latest}.tmp`, text, { mode: 0o600 });
  renameSync(`${latest}.tmp`, latest);
  return file;
}

const SCHEDULE_LOCK = 0x4353_4350; // 'CSCP': one instance signs each checkpoint

export interface CheckpointSchedule {
  readiness: ReadinessCheck;
  /** Signs and writes one now (the schedule's work; also used on shutdown). */
  runOnce(): Promise<AuditCheckpoint | null>;
  stop(): void;
}

/**
 * Publishes the chain head every `minutes`: reads it, signs it, writes it to the
 * checkpoint folder and logs it (so it also reaches the log stream). Several
 * instances share the work through an advisory lock: whichever holds it signs.
 */
export function startCheckpointSchedule(pool: pg.Pool, key: KeyObject, dir: string, minutes: number, logger: Logger): CheckpointSchedule {
  let lastOk: Date | null = null;
  let lastError: string | null = null;
  const runOnce = async (): Promise<AuditCheckpoint | null> => {
    const client = await pool.connect();
    try {
      const locked = (await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [SCHEDULE_LOCK])).rows[0]!.ok;
      if (!locked) return null;
      try {
        const checkpoint = signCheckpoint(await auditHead(pool), key);
        const file = writeCheckpoint(dir, checkpoint);
        lastOk = new Date();
        lastError = null;
        logger.info({ auditCheckpoint: checkpoint, file }, 'audit checkpoint signed');
        return checkpoint;
      } finally {
        await client.query('select pg_advisory_unlock($1)', [SCHEDULE_LOCK]);
      }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      logger.warn({ reason: lastError }, 'audit checkpoint could not be written');
      return null;
    } finally {
      client.release();
    }
  };
  const timer = minutes > 0 ? setInterval(() => void runOnce(), minutes * 60_000) : undefined;
  timer?.unref();
  return {
    runOnce,
    stop: () => clearInterval(timer),
    readiness: {
      name: 'audit-checkpoints',
      async check() {
        if (lastError) return { ok: false, reason: `the last audit checkpoint failed: ${lastError}` };
        return { ok: true, detail: { everyMinutes: minutes, lastSignedAt: lastOk?.toISOString() ?? null } };
      },
    },
  };
}
