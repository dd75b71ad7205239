import { existsSync } from 'node:fs';
import { appendAuditIn } from '@csp-hub/authz';
import { submissionAuditDetail } from '../submission-audit';
import path from 'node:path';
import { bytesOf, type ByteSource } from '@csp-hub/adapter-kit';
import { DEMO_PARTNERSHIPS, seedDemo } from '@csp-hub/db';
import { seedDemoTargets } from '@csp-hub/insight';
import { agencyIdsByCode, DEMO_MONTHS, generateDemoFeeds, importGeographyIfMissing, ingestFile, loadDemoLsoas, type IngestResult } from '@csp-hub/ingest';
import type { Hub } from '../hub';
import type { Logger } from '../logger';
import { operatorLabel } from './actor';

export interface DemoLoadResult {
  partnerships: number;
  users: number;
  geography: boolean;
  /** Files accepted by this run (a second run finds them all already accepted). */
  submissions: number;
  /** Generated partner files (fire, council, ISTV, Thames Valley street) offered to the pipeline. */
  generatedFiles: number;
  /** Plan targets created by this run, rebased onto the demo's first month (a second run finds them there). */
  targets: number;
}

/** Demo street-level months (Leicestershire) loaded when the reference folder has them. */
const DEMO_FEEDS = [
  { agency: 'leicestershire-police', feed: 'police.street', file: 'police/2024-01-leicestershire-street.csv' },
  { agency: 'leicestershire-police', feed: 'police.street', file: 'police/2024-02-leicestershire-street.csv' },
  { agency: 'leicestershire-police', feed: 'police.street', file: 'police/2024-03-leicestershire-street.csv' },
] as const;

/**
 * Demo data: the partnerships, agencies, users and agreements; the ONS geography and the real
 * data.police.uk months from the reference folder when it is there; then the partners' records
 * (fire incidents, council ASB, fly-tipping and noise, ISTV returns, Thames Valley street crime)
 * from the deterministic generator, placed in the partnerships' real LSOAs. Everything goes through
 * the real ingest pipeline. Idempotent: a second run finds every file already accepted.
 */
export async function loadDemo(hub: Pick<Hub, 'orm' | 'pool' | 'ingestPool' | 'cellKey'>, referenceDir: string, logger: Logger): Promise<DemoLoadResult> {
  const seeded = await seedDemo(hub.orm.em.fork());
  if (!existsSync(path.join(referenceDir, 'PROVENANCE.md'))) {
    logger.warn({ referenceDir }, 'reference data folder not found: demo has partnerships and users but no geography or incidents (set CSP_HUB_REFERENCE_DIR)');
    return { partnerships: seeded.partnerships, users: seeded.users, geography: false, submissions: 0, generatedFiles: 0, targets: 0 };
  }
  await importGeographyIfMissing(hub.pool, referenceDir, logger);
  const agencyIds = await agencyIdsByCode(hub.pool);
  // Seeded files go through the real pipeline, on the ingest pool, audited with their submission.
  const submit = async (agencyCode: string, feed: string, fileName: string, input: { path: string } | { source: ByteSource }): Promise<IngestResult> => {
    const agencyId = agencyIds.get(agencyCode)!;
    return ingestFile(hub.ingestPool, {
      agencyId,
      feed,
      fileName,
      ...input,
      submitter: { userId: null, label: 'demo seed', via: 'seed' },
      logger,
      beforeCommit: async (tx, outcome) => {
        await appendAuditIn(tx, {
          userId: null,
          agencyId,
          partnershipId: null,
          roles: [],
          operation: 'create',
          objectType: 'Submission',
          objectId: String(outcome.submissionId),
          detail: submissionAuditDetail(outcome, 'seed'),
          rowCount: outcome.rowsAccepted,
          agreementIds: [],
        });
      },
    });
  };
  let submissions = 0;
  for (const d of DEMO_FEEDS) {
    const file = path.join(referenceDir, d.file);
    if (!existsSync(file)) continue;
    if ((await submit(d.agency, d.feed, path.basename(file), { path: file })).status === 'accepted') submissions += 1;
  }
  const lsoas = await loadDemoLsoas(hub.pool, DEMO_PARTNERSHIPS.flatMap((p) => p.ladCodes));
  const generated = generateDemoFeeds(lsoas);
  for (const f of generated) {
    const result = await submit(f.agencyCode, f.feed, f.fileName, { source: bytesOf(f.content) });
    if (result.status === 'accepted') submissions += 1;
    if (result.status === 'refused' || result.rowsRejected > 0) {
      logger.warn({ file: f.fileName, status: result.status, rejected: result.rowsRejected, errorCode: result.errorCode }, 'generated demo file not loaded cleanly');
    }
  }
  // The plans' targets, rebased onto the data now present (docs/analysis.md "Targets as data").
  const targets = await seedDemoTargets({ operator: operatorLabel(), em: hub.orm.em.fork(), db: hub.pool }, { baselineMonth: DEMO_MONTHS[0], cellKey: hub.cellKey });
  for (const s of targets.skipped) logger.warn({ partnership: s.partnership, target: s.title, reason: s.reason }, 'demo target not seeded');
  return { partnerships: seeded.partnerships, users: seeded.users, geography: true, submissions, generatedFiles: generated.length, targets: targets.created };
}
