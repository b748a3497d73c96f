import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';

/**
 * pg-pool removes its own `error` listener from a new client before handing
 * it over, and TypeORM adds its listener a little later: a connection killed
 * in between (a database restart, `pg_terminate_backend`) would throw an
 * unhandled `error` event and end the host process. A no-op listener on every
 * new client closes that gap; the failed query still fails and the pool drops
 * the client.
 */
@Injectable()
export class PostgresPoolGuard implements OnModuleInit {
  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    if (this.dataSource.options.type !== 'postgres') return;
    const pool = (this.dataSource.driver as { master?: EventEmitter }).master;
    const guarded = new WeakSet<EventEmitter>();
    // 'acquire' also reaches clients opened before this module started.
    pool?.on('acquire', (client: EventEmitter) => {
      if (guarded.has(client)) return;
      guarded.add(client);
      client.on('error', () => undefined);
    });
  }
}
