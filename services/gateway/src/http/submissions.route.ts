import { subject as asSubject } from '@casl/ability';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { audit, listRejects } from '@csp-hub/authz';
import { csvLine, type Encoding } from '@csp-hub/adapter-kit';
import { ingestFile } from '@csp-hub/ingest';
import { HubError, isFeedId } from '@csp-hub/taxonomy';
import type { AppDeps } from '../deps';
import { requestAccess } from './access';

const ENCODINGS = new Set(['utf-8', 'windows-1252', 'auto']);

/** Counts bytes as they arrive and refuses a body over the limit. */
async function* limited(req: Request, max: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > max) throw HubError.invalidInput('FILE_TOO_LARGE', `The file is larger than the ${max.toLocaleString('en-GB')}-byte upload limit`);
    yield chunk;
  }
}

/**
 * POST /api/submissions?feed=police.street&fileName=...&encoding=...&layout=...
 * Body: the file's bytes (not multipart), streamed straight into the ingest
 * transaction. Analysts submit their own agency's data only.
 */
export function submissionsRouter(deps: AppDeps): Router {
  const router = Router();

  router.post('/api/submissions', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const access = await requestAccess(deps, req);
      const { principal } = access;
      if (!access.ability.can('create', asSubject('Submission', { agencyId: principal.agencyId }))) {
        throw HubError.forbidden('NOT_AN_ANALYST', "Only analysts submit their agency's data feeds");
      }
      const feed = String(req.query.feed ?? '');
      if (!isFeedId(feed)) throw HubError.invalidInput('UNKNOWN_FEED', `feed must be a feed id such as ${principal.agencyType}.street; see csp-hub feeds`);
      const encoding = req.query.encoding === undefined ? undefined : String(req.query.encoding);
      if (encoding !== undefined && !ENCODINGS.has(encoding)) throw HubError.invalidInput('UNKNOWN_ENCODING', 'encoding must be utf-8, windows-1252 or auto');
      const fileName = String(req.query.fileName ?? 'upload').slice(0, 255);
      const layout = req.query.layout === undefined ? undefined : String(req.query.layout).slice(0, 100);
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.startsWith('multipart/')) {
        throw HubError.invalidInput('MULTIPART_NOT_SUPPORTED', 'Send the file as the request body (e.g. curl --data-binary @file.csv), not as a form');
      }
      const result = await ingestFile(deps.pool, {
        agencyId: principal.agencyId,
        feed,
        fileName,
        source: limited(req, deps.uploadMaxBytes),
        submitter: { userId: principal.userId, label: `user:${principal.userId}`, via: 'http' },
        ...(encoding ? { encoding: encoding as Encoding } : {}),
        ...(layout ? { layout } : {}),
        logger: req.log,
      });
      await audit(access, {
        operation: 'create',
        objectType: 'Submission',
        objectId: String(result.submissionId),
        detail: { feed, status: result.status, rowsRead: result.rowsRead, rowsRejected: result.rowsRejected, checksum: result.checksum },
        rowCount: result.rowsAccepted,
        agreementIds: [],
      });
      const status = result.status === 'accepted' ? 201 : result.status === 'duplicate' ? 200 : 422;
      res.status(status).json({ submission: result });
    } catch (error) {
      // Read the rest of the body so the client gets the answer instead of a reset connection.
      req.resume();
      next(error);
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
        if (!res.write(text)) await new Promise((resolve) => res.once('drain', resolve));
        offset += page.rejects.length;
        if (page.rejects.length < pageSize || offset >= page.total) break;
        page = await listRejects(access, Number(id), pageSize, offset);
      }
      res.end();
    } catch (error) {
      next(error);
    }
  });

  return router;
}
