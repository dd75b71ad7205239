import { openCsv, type AdapterContext, type ByteSource, type Encoding } from '@csp-hub/adapter-kit';
import { HubError, type AdapterItem, type RowReject } from '@csp-hub/taxonomy';
import {
  ASSAULT_ITEMS,
  HEADER_ITEMS,
  LABEL,
  normaliseAssault,
  parseHeader,
  sameHeader,
  submissionHeader,
  type AssaultItem,
  type Header,
  type HeaderItem,
} from './assault';

/**
 * CSV layout: one row per assault. The columns are the data dictionary item
 * names, in capitals as the dictionary writes them, in any order; the three
 * submission header items are repeated on every row and must agree.
 */
export const ISTV_CSV_COLUMNS: readonly string[] = [
  ...Object.values(HEADER_ITEMS).map((n) => n.csv),
  ...Object.values(ASSAULT_ITEMS).map((n) => n.csv),
];

/**
 * Rejects the kit makes for unreadable rows (wrong width, bad quoting) carry
 * the whole row as their value, and so the location description: withhold it.
 */
function withheld(r: RowReject): RowReject {
  if (r.value === null) return r;
  return { ...r, value: null, message: `${r.message} (the row's text is withheld: it may hold the restricted location description)` };
}

export async function* readIstvCsv(source: ByteSource, context: AdapterContext, encoding: Encoding): AsyncGenerator<AdapterItem[]> {
  const csv = await openCsv(source, {
    feedLabel: LABEL,
    requiredColumns: ISTV_CSV_COLUMNS,
    encoding,
    ...(context.onEncoding ? { onEncoding: context.onEncoding } : {}),
  });
  const column = csv.column;
  const at = (fields: string[], name: string): string => fields[column[name]!]!;
  let header: Header | undefined;
  let headerRow = 0;
  let headerText = '';
  for await (const batch of csv.batches()) {
    const items: AdapterItem[] = batch.rejects.map(withheld);
    for (const { row, fields } of batch.records) {
      const raw: Record<HeaderItem, string> = {
        reportingPeriodStart: at(fields, HEADER_ITEMS.reportingPeriodStart.csv),
        reportingPeriodEnd: at(fields, HEADER_ITEMS.reportingPeriodEnd.csv),
        siteCode: at(fields, HEADER_ITEMS.siteCode.csv),
      };
      const text = `${raw.reportingPeriodStart}\u0000${raw.reportingPeriodEnd}\u0000${raw.siteCode}`;
      if (!header) {
        header = parseHeader(raw, 'csv', `row ${row}`);
        headerRow = row;
        headerText = text;
        context.onHeader?.(submissionHeader(header));
      } else if (text !== headerText) {
        const other = parseHeader(raw, 'csv', `row ${row}`);
        if (!sameHeader(header, other)) {
          throw HubError.invalidInput(
            'HEADER_MISMATCH',
            `Row ${row} belongs to another submission: reporting period ${other.reportingPeriodStart} to ${other.reportingPeriodEnd}, ` +
              `site ${other.siteCode}, where row ${headerRow} has ${header.reportingPeriodStart} to ${header.reportingPeriodEnd}, site ${header.siteCode}. ` +
              'A file holds one submission (one site, one reporting period): split it and submit each part. Nothing was stored.',
            { row, headerRow },
          );
        }
      }
      const assault: Partial<Record<AssaultItem, string>> = {};
      for (const item of Object.keys(ASSAULT_ITEMS) as AssaultItem[]) assault[item] = at(fields, ASSAULT_ITEMS[item].csv);
      items.push(normaliseAssault(row, assault, header, 'csv'));
    }
    if (items.length > 0) yield items;
  }
  if (!header) {
    throw HubError.invalidInput(
      'NO_ASSAULTS',
      `The ${LABEL} file has no readable assault rows, so it carries no submission header either. A submission holds at least one assault; nothing was stored.`,
    );
  }
}
