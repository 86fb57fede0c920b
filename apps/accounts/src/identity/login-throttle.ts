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

/** Attempts allowed per window of one action: per account, and per client address. */
export interface ThrottleRule {
  action: string;
  account: number;
  address: number;
}
/** Failed logins allowed per window. */
export const LOGIN_LIMITS: ThrottleRule = { action: 'login', account: 5, address: 20 };
/** Password-reset mails asked per window: a mailbox is not flooded, an address cannot sweep accounts. */
export const PASSWORD_RESET_LIMITS: ThrottleRule = { action: 'password-reset', account: 3, address: 10 };
/** New verification links asked per window, likewise. */
export const VERIFICATION_RESEND_LIMITS: ThrottleRule = {
  action: 'verification-resend',
  account: 3,
  address: 10,
};

const key = (rule: ThrottleRule, kind: 'account' | 'address', value: string, windowStart: number) =>
  `${rule.action}:${kind}:${createHash('sha256').update(value.toLowerCase()).digest('base64url')}:${windowStart}`;

/**
 * Slows down password guessing: fixed 15-minute windows of login attempts (successful ones given
 * back), per account and per address, counted in the database with atomic increments so every
 * instance sees the same counts.
 */
@Injectable()
export class LoginThrottle {
  private readonly collection: mongo.Collection<FailureWindow>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<FailureWindow>('login_failures');
  }

  /**
   * Counts an attempt before the password is even checked (so parallel guesses cannot all slip
   * through a read-then-write window) and says how many seconds to wait when over the limit, else 0.
   */
  async reserve(
    email: string,
    address: string,
    now = Date.now(),
    rule: ThrottleRule = LOGIN_LIMITS,
  ): Promise<number> {
    const start = now - (now % WINDOW_MS);
    const windowEnd = new Date(start + WINDOW_MS);
    let blocked = false;
    for (const [kind, value] of [
      ['account', email],
      ['address', address],
    ] as const) {
      const window = await this.collection.findOneAndUpdate(
        { _id: key(rule, kind, value, start) },
        { $inc: { count: 1 }, $setOnInsert: { windowEnd } },
        { upsert: true, returnDocument: 'after' },
      );
      if ((window?.count ?? 0) > rule[kind]) blocked = true;
    }
    return blocked ? Math.ceil((start + WINDOW_MS - now) / 1000) : 0;
  }

  /** A successful login gives its attempt back. */
  async release(email: string, address: string, now = Date.now()): Promise<void> {
    const start = now - (now % WINDOW_MS);
    for (const [kind, value] of [
      ['account', email],
      ['address', address],
    ] as const) {
      await this.collection.updateOne(
        { _id: key(LOGIN_LIMITS, kind, value, start), count: { $gt: 0 } },
        { $inc: { count: -1 } },
      );
    }
  }

  async purgeEnded(): Promise<number> {
    return (await this.collection.deleteMany({ windowEnd: { $lt: new Date() } })).deletedCount;
  }
}
