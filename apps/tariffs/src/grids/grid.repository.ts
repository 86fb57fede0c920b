import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { OutboxEntry, OutboxFields, newDocumentWithEvents, withEvents } from '@guichet/messaging';
import type { TariffGrid } from '@guichet/tariff-engine';

/** One line of a grid's history: who did what, when and why. */
export interface GridHistoryEntry {
  at: string;
  by: string;
  action: 'created' | 'draft-saved' | 'published';
  version?: number;
  reason?: string;
}

/** A grid as stored: the grid itself (the open format), a revision for optimistic concurrency, its history. */
export interface GridDocument extends OutboxFields {
  _id: string;
  grid: TariffGrid;
  revision: number;
  history: GridHistoryEntry[];
}

/** Every database access of the grids; returns plain objects, never driver documents. */
@Injectable()
export class GridRepository {
  private readonly collection: mongo.Collection<GridDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<GridDocument>('tariff_grids');
  }

  async find(id: string): Promise<GridDocument | null> {
    return this.collection.findOne(
      { _id: id },
      { projection: { outbox: 0, outboxPending: 0, outboxSince: 0, outboxLease: 0 } },
    );
  }

  async list(): Promise<GridDocument[]> {
    return this.collection
      .find({}, { projection: { outbox: 0, outboxPending: 0, outboxSince: 0, outboxLease: 0, history: 0 } })
      .sort({ _id: 1 })
      .limit(500)
      .toArray();
  }

  /** Creates a grid; false when one with this id exists already. */
  async create(grid: TariffGrid, entry: GridHistoryEntry, events: OutboxEntry[]): Promise<boolean> {
    try {
      await this.collection.insertOne(
        newDocumentWithEvents({ _id: grid.id, grid, revision: 1, history: [entry] }, events),
      );
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  /** Replaces the grid if nobody changed it since `revision` was read; false otherwise. */
  async update(
    grid: TariffGrid,
    revision: number,
    entry: GridHistoryEntry,
    events: OutboxEntry[],
  ): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: grid.id, revision },
      withEvents({ $set: { grid, revision: revision + 1 }, $push: { history: entry } }, events),
    );
    return result.modifiedCount === 1;
  }
}
