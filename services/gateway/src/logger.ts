import pino, { type Logger } from 'pino';

/**
 * The one pino root. Tokens, auth headers, passwords and personal fields are
 * redacted wherever they appear; log ids and counts, never record contents.
 */
export const REDACT_PATHS = [
  'authorization',
  'token',
  'password',
  'secret',
  'email',
  '*.authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.email',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.restrictedText',
  '*.locationText',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'csp-hub' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

export type { Logger };
