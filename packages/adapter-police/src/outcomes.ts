import {
  cleanText,
  jsonText,
  openFeedCsv,
  parseMonth,
  readJsonElements,
  reject,
  csvOrJsonAdapter,
  type AdapterContext,
  type ByteSource,
  type FeedAdapter,
} from '@csp-hub/adapter-kit';
import type { AdapterItem } from '@csp-hub/taxonomy';
import { CRIME_LOCATION_COLUMNS } from './street';

/** data.police.uk outcomes CSV: each row updates the last outcome of the crime it names. */
export const OUTCOME_COLUMNS = [...CRIME_LOCATION_COLUMNS, 'Outcome type'] as const;

const LABEL = 'data.police.uk outcomes';

function outcomeUpdate(row: number, crimeId: string, monthText: string, outcomeText: string, column = 'Crime ID'): AdapterItem {
  const id = crimeId.trim();
  if (id === '') return reject(row, column, crimeId, 'MISSING_ID', 'an outcome must name the crime it belongs to');
  const month = parseMonth(monthText.length > 7 ? monthText.slice(0, 7) : monthText);
  if (!month.ok) return reject(row, 'Month', monthText, 'INVALID_DATE', month.message);
  const outcome = cleanText(outcomeText);
  if (!outcome) return reject(row, 'Outcome type', outcomeText, 'MISSING_VALUE', 'the outcome is empty');
  return { kind: 'update', rowNumber: row, sourceRef: id, outcome, month: month.value };
}

async function* readCsv(source: ByteSource, context: AdapterContext): AsyncGenerator<AdapterItem[]> {
  const csv = await openFeedCsv(source, context, { label: LABEL, requiredColumns: OUTCOME_COLUMNS, defaultEncoding: 'utf-8' });
  const c = csv.column as Record<(typeof OUTCOME_COLUMNS)[number], number>;
  for await (const batch of csv.batches()) {
    const items: AdapterItem[] = batch.rejects.slice();
    for (const { row, fields } of batch.records) {
      items.push(outcomeUpdate(row, fields[c['Crime ID']]!, fields[c.Month]!, fields[c['Outcome type']]!));
    }
    yield items;
  }
}

/**
 * API forms: outcomes-at-location elements ({category:{name}, date, crime:{persistent_id}})
 * and an outcomes-for-crime case history ({crime, outcomes:[...]}).
 */
async function* readJson(source: ByteSource): AsyncGenerator<AdapterItem[]> {
  for await (const elements of readJsonElements(source, 'data.police.uk outcomes')) {
    const items: AdapterItem[] = [];
    for (const { row, value } of elements) {
      const history = value !== null && typeof value === 'object' ? (value as { outcomes?: unknown }).outcomes : undefined;
      if (Array.isArray(history)) {
        const crimeId = jsonText(value, 'crime', 'persistent_id');
        for (const outcome of history) {
          items.push(outcomeUpdate(row, crimeId, jsonText(outcome, 'date'), jsonText(outcome, 'category', 'name'), 'crime.persistent_id'));
        }
      } else {
        items.push(outcomeUpdate(row, jsonText(value, 'crime', 'persistent_id'), jsonText(value, 'date'), jsonText(value, 'category', 'name'), 'crime.persistent_id'));
      }
    }
    yield items;
  }
}

export const outcomesAdapter: FeedAdapter = csvOrJsonAdapter({
  feed: 'police.outcomes',
  formats: ['csv', 'json'],
  requiredColumns: OUTCOME_COLUMNS,
  optionalColumns: [],
  defaultEncoding: 'utf-8',
}, {
  csv: readCsv,
  json: (source) => readJson(source),
});
