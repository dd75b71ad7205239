import { existsSync } from 'node:fs';
import { appendAuditIn } from '@csp-hub/authz';
import { submissionAuditDetail } from '../submission-audit';
import path from 'node:path';
import { seedDemo } from '@csp-hub/db';
import { importGeography, ingestFile } from '@csp-hub/ingest';
import type { Hub } from '../hub';
import type { Logger } from '../logger';

export interface DemoLoadResult {
  partnerships: number;
  users: number;
  geography: boolean;
  submissions: number;
}

/** Demo street-level months (Leicestershire) loaded when the reference folder has them. */
const DEMO_FEEDS = [
  { agency: 'leicestershire-police', feed: 'police.street', file: 'police/2024-01-leicestershire-street.csv' },
  { agency: 'leicestershire-police', feed: 'police.street', file: 'police/2024-02-leicestershire-street.csv' },
  { agency: 'leicestershire-police', feed: 'police.street', file: 'police/2024-03-leicestershire-street.csv' },
] as const;

/**
 * Demo data: the partnerships, agencies and users; the ONS geography and the
 * real data.police.uk months from the reference folder when it is there.
 * Idempotent: a second run finds the files already accepted.
 */
export async function loadDemo(hub: Hub, referenceDir: string, logger: Logger): Promise<DemoLoadResult> {
  const seeded = await seedDemo(hub.orm.em.fork());
  if (!existsSync(path.join(referenceDir, 'PROVENANCE.md'))) {
    logger.warn({ referenceDir }, 'reference data folder not found: demo has partnerships and users but no geography or incidents (set CSP_HUB_REFERENCE_DIR)');
    return { partnerships: seeded.partnerships, users: seeded.users, geography: false, submissions: 0 };
  }
  const areas = await hub.pool.query(`select count(*)::int as n from area where kind = 'lsoa'`);
  if (areas.rows[0].n === 0) await importGeography(hub.pool, referenceDir, logger);
  let submissions = 0;
  for (const d of DEMO_FEEDS) {
    const file = path.join(referenceDir, d.file);
    if (!existsSync(file)) continue;
    const agency = await hub.pool.query<{ id: number }>('select id from agency where code = $1', [d.agency]);
    const result = await ingestFile(hub.ingestPool, {
      agencyId: agency.rows[0]!.id,
      feed: d.feed,
      fileName: path.basename(file),
      path: file,
      submitter: { userId: null, label: 'demo seed', via: 'seed' },
      logger,
      beforeCommit: (tx, outcome) =>
        appendAuditIn(tx, {
          userId: null,
          agencyId: agency.rows[0]!.id,
          partnershipId: null,
          roles: [],
          operation: 'create',
          objectType: 'Submission',
          objectId: String(outcome.submissionId),
          detail: submissionAuditDetail(outcome, 'seed'),
          rowCount: outcome.rowsAccepted,
          agreementIds: [],
        }).then(() => undefined),
    });
    if (result.status === 'accepted') submissions += 1;
  }
  return { partnerships: seeded.partnerships, users: seeded.users, geography: true, submissions };
}
