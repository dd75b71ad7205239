import type pg from 'pg';

/**
 * Runs `fn` in one transaction on a connection of its own: `begin` (e.g.
 * 'begin read only'), fn, COMMIT; ROLLBACK when fn or the commit throws, and
 * the error goes on to the caller. A connection whose rollback fails is closed
 * rather than returned to the pool, where its aborted transaction would fail
 * the next caller's statement.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'begin'): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken ? true : undefined);
  }
}
