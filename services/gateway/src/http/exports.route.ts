import { once } from 'node:events';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { ALL_INCIDENT_FIELDS, exportIncidents, type IncidentFilter } from '@csp-hub/authz';
import { csvLine } from '@csp-hub/adapter-kit';
import { databaseUnavailableReason, isDatabaseUnavailable } from '@csp-hub/db';
import type { AppDeps } from '../deps';
import { requestAccess } from './access';

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return String(value).split(',').map((v) => v.trim()).filter(Boolean);
}

function filterFrom(req: Request): IncidentFilter {
  const q = req.query;
  return {
    monthFrom: q.monthFrom === undefined ? null : String(q.monthFrom),
    monthTo: q.monthTo === undefined ? null : String(q.monthTo),
    categories: list(q.categories) ?? null,
    feeds: list(q.feeds) ?? null,
    agencyIds: list(q.agencyIds)?.map(Number) ?? null,
    ladCodes: list(q.ladCodes) ?? null,
    wardCodes: list(q.wardCodes) ?? null,
    lsoaCodes: list(q.lsoaCodes) ?? null,
    outcome: q.outcome === undefined ? null : String(q.outcome),
  };
}

/**
 * GET /api/exports/incidents.csv?monthFrom=2024-01&categories=violence,...
 * Streams what the reader may see, masked like the API, as formula-safe CSV;
 * audited before the first row leaves.
 */
export function exportsRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/api/exports/incidents.csv', async (req: Request, res: Response, next: NextFunction) => {
    let started = false;
    try {
      const access = await requestAccess(deps, req);
      const batches = exportIncidents(access, filterFrom(req));
      const first = await batches.next(); // validates the filter and writes the audit entry
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', 'attachment; filename="incidents.csv"');
      started = true;
      res.write(csvLine([...ALL_INCIDENT_FIELDS, 'hiddenFields']));
      const write = (rows: typeof first.value): boolean => {
        let text = '';
        for (const v of rows ?? []) {
          text += csvLine([
            ...ALL_INCIDENT_FIELDS.map((f) => {
              const value = v[f as keyof typeof v];
              return value === null || value === undefined ? null : typeof value === 'object' ? JSON.stringify(value) : (value as string | number);
            }),
            v.hiddenFields.join(' '),
          ]);
        }
        return res.write(text);
      };
      if (!first.done) write(first.value);
      for await (const rows of batches) {
        // a client that stops reading and goes away never drains: the request's signal ends the wait
        if (!write(rows)) await once(res, 'drain', { signal: req.signal });
        if (req.signal.aborted) break;
      }
      if (req.signal.aborted) {
        await batches.return(undefined);
        return;
      }
      res.end();
    } catch (error) {
      if (started) {
        // the client going away is logged once where it is noticed; anything else cut the download short
        if (isDatabaseUnavailable(error)) req.log.warn({ reason: databaseUnavailableReason(error) }, 'export cut short: the database became unavailable');
        else if (!req.signal.aborted) req.log.error({ err: error }, 'export failed part-way');
        res.destroy();
        return;
      }
      next(error);
    }
  });
  return router;
}
