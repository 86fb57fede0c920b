import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';

interface FailureWindow {
  _id: string;
  count: number;
  windowEnd: Date;
}

const WINDOW_MS = 15 * 60 * 1000;
/** Failed logins allowed per window: per account, and per client address. */
export const LOGIN_LIMITS = { account: 5, address: 20 } as const;

const key = (kind: 'account' | 'address', value: string, windowStart: number) =>
  `${kind}:${createHash('sha256').update(value.toLowerCase()).digest('base64url')}:${windowStart}`;

/**
 * Slows down password guessing: fixed 15-minute windows of failed logins, per account and per
 * address, counted in the database (atomic increments) so every instance sees the same counts.
 */
@Injectable()
export class LoginThrottle {
  private readonly collection: mongo.Collection<FailureWindow>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<FailureWindow>('login_failures');
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  async retryAfter(email: string, address: string, now = Date.now()): Promise<number> {
    const start = now - (now % WINDOW_MS);
    const windows = await this.collection
      .find({ _id: { $in: [key('account', email, start), key('address', address, start)] } })
      .toArray();
    const blocked = windows.some(
      (w) => w.count >= (w._id.startsWith('account:') ? LOGIN_LIMITS.account : LOGIN_LIMITS.address),
    );
    return blocked ? Math.ceil((start + WINDOW_MS - now) / 1000) : 0;
  }

  async recordFailure(email: string, address: string, now = Date.now()): Promise<void> {
    const start = now - (now % WINDOW_MS);
    const windowEnd = new Date(start + WINDOW_MS);
    for (const id of [key('account', email, start), key('address', address, start)]) {
      await this.collection.updateOne(
        { _id: id },
        { $inc: { count: 1 }, $setOnInsert: { windowEnd } },
        { upsert: true },
      );
    }
  }

  async purgeEnded(): Promise<number> {
    return (await this.collection.deleteMany({ windowEnd: { $lt: new Date() } })).deletedCount;
  }
}
