import { createWriteStream, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';

/**
 * Writes an n-row data.police.uk street-level file built from the real
 * Leicestershire rows: months spread over three years, Crime IDs made unique,
 * ASB and No Location rows kept as they are in the source.
 */
export async function writeStreetFile(target: string, rows: number, sourceFiles: string[]): Promise<void> {
  const templates = sourceFiles.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').slice(1));
  const out = createWriteStream(target);
  out.write('Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n');
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    const fields = templates[i % templates.length]!.split(',');
    const month = `${2022 + Math.floor((i % 36) / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
    fields[1] = month;
    if (fields[0] !== '') fields[0] = createHash('sha256').update(`bench-${i}`).digest('hex');
    buffer += `${fields.join(',')}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.write(buffer);
  out.end();
  await once(out, 'finish');
}

/** The data rows (no header) of real data.police.uk street-level files: the templates generated rows are made from. */
export function readStreetTemplates(sourceFiles: string[]): string[] {
  return sourceFiles.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').slice(1));
}

/**
 * Writes rows [from, from + count) of a generated series of street-level rows:
 * the series repeats every template row once per month (block b of
 * templates.length rows is month monthOf(b)), as a force's monthly releases
 * would. Crime IDs are made unique per row; rows without one (ASB, as in the
 * source) keep their content, so identical rows stay within one month and a
 * file of whole months keeps the natural keys of its twins distinct (ADR 0004).
 */
export async function writeStreetSeries(
  target: string,
  templates: string[],
  from: number,
  count: number,
  monthOf: (block: number) => string,
): Promise<void> {
  const out = createWriteStream(target);
  out.write('Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n');
  let buffer = '';
  for (let i = from; i < from + count; i++) {
    const fields = templates[i % templates.length]!.split(',');
    fields[1] = monthOf(Math.floor(i / templates.length));
    if (fields[0] !== '') fields[0] = createHash('sha256').update(`bench-${i}`).digest('hex');
    buffer += `${fields.join(',')}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.write(buffer);
  out.end();
  await once(out, 'finish');
}
