import { once } from 'node:events';
import { subject as asSubject } from '@casl/ability';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { appendAuditIn, listRejects, withPrincipal, type AccessContext } from '@csp-hub/authz';
import { csvLine, type Encoding } from '@csp-hub/adapter-kit';
import { ingestFile, type IngestResult } from '@csp-hub/ingest';
import { HubError, isFeedId } from '@csp-hub/taxonomy';
import type { AppDeps } from '../deps';
import { submissionAuditDetail } from '../submission-audit';
import { requestAccess } from './access';
import { createUploadSlots } from './upload-slots';

const ENCODINGS = new Set(['utf-8', 'windows-1252', 'auto']);

function httpStatusOf(result: IngestResult): number {
  switch (result.status) {
    case 'accepted':
      return 201;
    case 'duplicate':
      return 200;
    case 'refused':
      return result.errorCode === 'FILE_TOO_LARGE' ? 413 : 422;
    case 'failed':
      return 500;
  }
}

/**
 * POST /api/submissions?feed=police.street&fileName=...&encoding=...&asOf=...&layout=...
 * Body: the file's bytes (not multipart; .gz or a .zip holding one file also
 * accepted). The file is received in full to the spool folder before any
 * database work, then ingested on the ingest pool; uploads in progress are
 * bounded per user and in total. Analysts submit their own agency's data only.
 */
export function submissionsRouter(deps: AppDeps): Router {
  const router = Router();
  const slots = createUploadSlots(deps.uploads.maxConcurrent, deps.uploads.maxPerUser);

  router.post('/api/submissions', async (req: Request, res: Response, next: NextFunction) => {
    let release: (() => void) | undefined;
    try {
      const access: AccessContext = await requestAccess(deps, req);
      const { principal } = access;
      if (!access.ability.can('create', asSubject('Submission', { agencyId: principal.agencyId }))) {
        throw HubError.forbidden('NOT_AN_ANALYST', "Only analysts submit their agency's data feeds");
      }
      const feed = String(req.query.feed ?? '');
      if (!isFeedId(feed)) throw HubError.invalidInput('UNKNOWN_FEED', `feed must be a feed id such as ${principal.agencyType}.street; see csp-hub feeds`);
      const encoding = req.query.encoding === undefined ? undefined : String(req.query.encoding);
      if (encoding !== undefined && !ENCODINGS.has(encoding)) throw HubError.invalidInput('UNKNOWN_ENCODING', 'encoding must be utf-8, windows-1252 or auto');
      const asOf = req.query.asOf === undefined ? undefined : String(req.query.asOf);
      const fileName = String(req.query.fileName ?? 'upload').slice(0, 255);
      const layout = req.query.layout === undefined ? undefined : String(req.query.layout).slice(0, 100);
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.startsWith('multipart/')) {
        throw HubError.invalidInput('MULTIPART_NOT_SUPPORTED', 'Send the file as the request body (e.g. curl --data-binary @file.csv), not as a form');
      }
      const slot = slots.take(principal.userId);
      if ('refused' in slot) {
        req.resume();
        res.setHeader('retry-after', '30');
        res.status(429).json({
          error: {
            code: 'TOO_MANY_UPLOADS',
            message:
              slot.refused === 'user'
                ? `You already have ${slot.limit} uploads in progress: wait for one to finish, then send this file again.`
                : `The hub is receiving ${slot.limit} uploads already: send this file again in a minute.`,
          },
        });
        return;
      }
      release = slot.release;
      // The client going away stops the submission: it is rolled back and recorded as interrupted.
      const stop = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) stop.abort('the client went away');
      });
      // the request's own signal fires when the client goes away or shutdown cuts requests off
      req.signal?.addEventListener('abort', () => stop.abort(String(req.signal.reason ?? 'the request was cancelled')), { once: true });
      const result = await ingestFile(deps.ingestPool, {
        agencyId: principal.agencyId,
        feed,
        fileName,
        source: req,
        maxBytes: deps.uploads.maxBytes,
        spoolDir: deps.uploads.spoolDir,
        signal: stop.signal,
        submitter: { userId: principal.userId, label: `user:${principal.userId}`, via: 'http' },
        ...(encoding ? { encoding: encoding as Encoding } : {}),
        ...(asOf !== undefined ? { asOf } : {}),
        ...(layout ? { layout } : {}),
        logger: req.log,
        beforeCommit: async (tx, outcome) => {
          await appendAuditIn(
            tx,
            withPrincipal(access, {
              operation: 'create',
              objectType: 'Submission',
              objectId: String(outcome.submissionId),
              detail: submissionAuditDetail(outcome, 'http'),
              rowCount: outcome.rowsAccepted,
              agreementIds: [],
            }),
          );
        },
      });
      if (result.status === 'accepted') {
        deps.metrics?.ingestRows.inc({ feed, outcome: 'accepted' }, result.rowsAccepted);
        deps.metrics?.ingestRows.inc({ feed, outcome: 'rejected' }, result.rowsRejected);
      }
      if (stop.signal.aborted) return; // nobody is listening; the attempt is recorded
      res.status(httpStatusOf(result)).json({ submission: result });
    } catch (error) {
      // Read the rest of the body so the client gets the answer instead of a reset connection.
      req.resume();
      next(error);
    } finally {
      release?.();
    }
  });

  /** GET /api/submissions/:id/rejects.csv: the submitting agency's rejects, formula-safe. */
  router.get('/api/submissions/:id/rejects.csv', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const access = await requestAccess(deps, req);
      const id = String(req.params.id ?? '');
      if (!/^\d{1,15}$/.test(id)) throw HubError.notFound('Submission', id);
      const pageSize = 5000;
      let page = await listRejects(access, Number(id), pageSize, 0);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="submission-${id}-rejects.csv"`);
      res.write(csvLine(['row', 'column', 'value', 'reason', 'message']));
      for (let offset = 0; ; ) {
        let text = '';
        for (const r of page.rejects) text += csvLine([r.rowNumber, r.column, r.value, r.reason, r.message]);
        // a client that stops reading and goes away never drains: the request's signal ends the wait
        if (!res.write(text)) await once(res, 'drain', { signal: req.signal });
        offset += page.rejects.length;
        if (page.rejects.length < pageSize || offset >= page.total) break;
        page = await listRejects(access, Number(id), pageSize, offset);
      }
      res.end();
    } catch (error) {
      if (req.signal.aborted) {
        res.destroy();
        return;
      }
      if (res.headersSent) {
        req.log.error({ err: error }, 'rejects download failed part-way');
        res.destroy();
        return;
      }
      next(error);
    }
  });

  return router;
}
