import type { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';

/**
 * pg-pool removes its own `error` listener from a new client before handing
 * it over, and TypeORM adds its listener a little later: a connection killed
 * in between (a database restart, `pg_terminate_backend`) would throw an
 * unhandled `error` event and end the host process. A no-op listener on every
 * new client closes that gap; the failed query still fails and the pool drops
 * the client.
 */
export function guardPostgresPool(dataSource: DataSource): void {
  const pool = (dataSource.driver as { master?: EventEmitter }).master;
  const guarded = new WeakSet<EventEmitter>();
  // 'acquire' also reaches clients opened before this module started.
  pool?.on('acquire', (client: EventEmitter) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', () => undefined);
  });
}
