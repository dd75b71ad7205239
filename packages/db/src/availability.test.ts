import { describe, expect, it } from 'vitest';
import { databaseUnavailableReason, isDatabaseUnavailable, isStatementCancelled } from './availability';
import { QueryAbortedError } from './cancel';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['admin shutdown (server stopping)', withCode('57P01', 'terminating connection due to administrator command')],
    ['crash shutdown', withCode('57P02')],
    ['starting up', withCode('57P03', 'the database system is starting up')],
    ['too many connections', withCode('53300')],
    ['connection exception class 08', withCode('08006')],
    ['pg-pool acquire timeout', new Error('timeout exceeded when trying to connect')],
    ['socket closed by the server', new Error('Connection terminated unexpectedly')],
    ['knex pool saturated', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })],
    ['pool ended at shutdown', new Error('Cannot use a pool after calling end on the pool')],
    ['knex: a query on a connection that failed', Object.assign(new Error("select nextval('audit_log_id_seq') as id - Client has encountered a connection error and is not queryable"), { name: 'DriverException' })],
    ['knex: a transaction whose connection died', Object.assign(new Error('Transaction query already complete, run with DEBUG=knex:tx for more info'), { name: 'DriverException' })],
    ['a cause further down', new Error('outer', { cause: withCode('ECONNREFUSED') })],
    ['one address of several refused', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed')],
  ])('%s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(databaseUnavailableReason(error)).toBeTruthy();
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error', withCode('42601')],
    ['a cancelled statement', withCode('57014')],
    ['a plain bug', new TypeError('x is undefined')],
    ['user text that merely mentions a timeout', new Error('Variable "$x" got invalid value "timeout exceeded when trying to connect"')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('not %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('isStatementCancelled', () => {
  it('is true for a cancelled statement and for a query never started', () => {
    expect(isStatementCancelled(withCode('57014', 'canceling statement due to user request'))).toBe(true);
    expect(isStatementCancelled(new QueryAbortedError())).toBe(true);
    expect(isStatementCancelled(withCode('ECONNREFUSED'))).toBe(false);
  });
});
