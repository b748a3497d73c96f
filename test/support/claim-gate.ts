import type { DataSource } from 'typeorm';
import type { TestDialect } from './test-database';

/**
 * Holds campaign_calls so that replicas boot and tick but block on their
 * first claim until the returned `open()`, and so all of them start
 * together however long each took to boot. Plain reads pass; the claims'
 * locking reads wait (PostgreSQL EXCLUSIVE MODE, MySQL `LOCK TABLES … READ`).
 */
export async function closeClaimGate(
  dataSource: DataSource,
  dialect: TestDialect,
): Promise<() => Promise<void>> {
  const gate = dataSource.createQueryRunner();
  await gate.connect();
  if (dialect === 'mysql') {
    await gate.query('LOCK TABLES campaign_calls READ');
  } else {
    await gate.startTransaction();
    await gate.query('LOCK TABLE campaign_calls IN EXCLUSIVE MODE');
  }
  return async () => {
    if (dialect === 'mysql') await gate.query('UNLOCK TABLES');
    else await gate.commitTransaction();
    await gate.release();
  };
}
