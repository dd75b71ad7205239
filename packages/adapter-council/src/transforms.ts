import type { LayoutTransform } from '@csp-hub/layouts';

/** The numeric FixMyStreet report id at the end of a report URL (`.../report/123456`), or null. */
export function reportIdOf(url: string): string | null {
  return /\/report\/(\d+)\/?(?:[?#].*)?$/.exec(url.trim())?.[1] ?? null;
}

/** `fixmystreet-report-id`: a FixMyStreet report URL -> its report number (the report's id). */
export const FIXMYSTREET_REPORT_ID: LayoutTransform = {
  name: 'fixmystreet-report-id',
  description: 'FixMyStreet report URL (https://www.fixmystreet.com/report/122878) -> report number',
  inputs: { url: { required: true, description: 'the report URL' } },
  apply(inputs) {
    const url = inputs.url ?? '';
    const id = reportIdOf(url);
    if (id === null) return { ok: false, input: 'url', reason: 'MISSING_ID', message: `"${url}" is not a FixMyStreet report URL ending /report/<number>` };
    return { ok: true, value: id };
  },
};

/** The transforms council layout files may name. */
export const COUNCIL_TRANSFORMS: readonly LayoutTransform[] = [FIXMYSTREET_REPORT_ID];
