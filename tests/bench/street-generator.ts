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
