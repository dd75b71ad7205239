import { describe, expect, it } from 'vitest';
import { checkTokenTimes } from './token-rules';

const NOW = 1_800_000_000;
const MAX = 12 * 3600;

function reasonOf(claims: { exp?: unknown; iat?: unknown }): string | undefined {
  try {
    checkTokenTimes(claims, MAX, NOW);
    return undefined;
  } catch (error) {
    return (error as { reason?: string }).reason;
  }
}

describe('token time rules', () => {
  it('accept a token issued now for up to the maximum lifetime, and allow 5 s of clock skew', () => {
    expect(reasonOf({ iat: NOW, exp: NOW + MAX })).toBeUndefined();
    expect(reasonOf({ iat: NOW + 5, exp: NOW + 3600 })).toBeUndefined();
    expect(reasonOf({ iat: NOW - 3600, exp: NOW - 4 })).toBeUndefined();
  });

  it('require exp and iat as numbers', () => {
    expect(reasonOf({ iat: NOW })).toBe('TOKEN_NO_EXPIRY');
    expect(reasonOf({ iat: NOW, exp: String(NOW + 60) })).toBe('TOKEN_NO_EXPIRY');
    expect(reasonOf({ exp: NOW + 60 })).toBe('TOKEN_NO_ISSUED_AT');
    expect(reasonOf({ exp: NOW + 60, iat: Number.NaN })).toBe('TOKEN_NO_ISSUED_AT');
  });

  it('refuse an expired token, one issued in the future, and one valid for longer than the maximum', () => {
    expect(reasonOf({ iat: NOW - 3600, exp: NOW - 6 })).toBe('TOKEN_EXPIRED');
    expect(reasonOf({ iat: NOW + 6, exp: NOW + 3600 })).toBe('TOKEN_ISSUED_IN_FUTURE');
    expect(reasonOf({ iat: NOW, exp: NOW + MAX + 1 })).toBe('TOKEN_LIFETIME_TOO_LONG');
    expect(() => checkTokenTimes({ iat: NOW, exp: NOW + 86400 }, MAX, NOW)).toThrow(
      'The token is valid for 1d, longer than the 12h this hub accepts (JWT_MAX_TTL)',
    );
  });
});
