import { sniff, type FeedAdapter } from '@csp-hub/adapter-kit';
import { readIstvCsv, ISTV_CSV_COLUMNS } from './csv';
import { readIstvXml } from './xml';

/**
 * ISTV minimum data set (ISB/SCCI 1594): anonymised assault attendances at an
 * emergency department, one submission (site, reporting period) per file, as
 * CSV (one row per assault) or XML (element per data item). See README.md.
 */
export const istvAdapter: FeedAdapter = {
  description: {
    feed: 'health.istv',
    formats: ['csv', 'xml'],
    requiredColumns: ISTV_CSV_COLUMNS,
    optionalColumns: [],
    defaultEncoding: 'auto',
  },
  async *read(input, context = {}) {
    const { first, source } = await sniff(input);
    const xml = first === '<';
    context.onFormat?.(xml ? 'xml' : 'csv');
    const encoding = context.encoding ?? 'auto';
    yield* xml ? readIstvXml(source, context, encoding) : readIstvCsv(source, context, encoding);
  },
};
