/** Durations as configuration writes them: a whole number and a unit s, m, h or d (e.g. 8h). */
export const DURATION_PATTERN = /^(\d+)([smhd])$/;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** Seconds in a duration like 8h; undefined when it is not one. */
export function durationSeconds(value: string): number | undefined {
  const match = DURATION_PATTERN.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

/** Seconds as the shortest exact duration: 43200 -> 12h, 90 -> 90s. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
