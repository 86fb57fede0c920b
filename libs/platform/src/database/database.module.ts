import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { HealthRegistry } from '../health/health.registry';

@Injectable()
class DatabaseHealth implements OnModuleInit {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('mongodb', async () => {
      const db = this.connection.db;
      if (!db) throw new Error('not connected');
      await db.command({ ping: 1 });
    });
  }
}

/**
 * The service's own MongoDB database (FerretDB on the local stack). Only features that FerretDB
 * also has are used: no transactions, change streams, TTL indexes or $lookup.
 */
@Module({})
export class DatabaseModule {
  static forRoot(uri: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MongooseModule.forRoot(uri, {
          serverSelectionTimeoutMS: 5_000,
          retryWrites: false,
        }),
      ],
      providers: [DatabaseHealth],
      exports: [MongooseModule],
    };
  }
}
