import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { BroadcastScope } from '../events/projection.repository';

/** An agent's notice: what it says, whom it targets, how many families it reached. */
export interface BroadcastDocument {
  _id: string;
  scope: BroadcastScope;
  subject: string;
  text: string;
  families: number;
  /** The agent's account id. */
  createdBy: string;
  createdAt: Date;
}

@Injectable()
export class BroadcastRepository {
  private readonly broadcasts: mongo.Collection<BroadcastDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.broadcasts = connection.collection<BroadcastDocument>('broadcasts');
  }

  async save(broadcast: BroadcastDocument): Promise<void> {
    await this.broadcasts.insertOne(broadcast);
  }

  find(id: string): Promise<BroadcastDocument | null> {
    return this.broadcasts.findOne({ _id: id });
  }
}
