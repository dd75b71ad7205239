import type { Request, Response } from 'express';

/** Codes for refusals the HTTP layer makes itself (bodies, rates, availability), by status. */
export const HTTP_REFUSAL_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export function isGraphQLRequest(req: Request): boolean {
  return (req.originalUrl ?? req.url).split('?')[0]!.startsWith('/graphql');
}

/**
 * Answers a request the hub refuses before (or instead of) running it, in the
 * shape its caller reads: GraphQL `{ errors: [...] }` on /graphql, otherwise
 * the REST `{ error: { code, message } }`. `reason` is a stable machine code.
 */
export function refuse(
  req: Request,
  res: Response,
  status: number,
  reason: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const code = HTTP_REFUSAL_CODES[status] ?? 'BAD_REQUEST';
  if (isGraphQLRequest(req)) {
    res.status(status).json({ errors: [{ message, extensions: { code, reason } }] });
  } else {
    res.status(status).json({ error: { code: reason, message, requestId: req.requestId } });
  }
}
