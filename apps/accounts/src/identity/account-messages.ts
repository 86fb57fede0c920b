import { createHash, randomBytes } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { AccountMessageRequested } from '@guichet/contracts';
import { EventOutbox, newDocumentWithEvents, OutboxFields } from '@guichet/messaging';
import { AccountsConfig } from '../accounts.config';

export type AccountMessagePurpose = 'email-verification' | 'password-reset';

/** A single-use secret of a mailed link, stored by its hash, with the message request in its outbox. */
interface AccountTokenDocument extends OutboxFields {
  _id: string;
  userId: string;
  purpose: AccountMessagePurpose;
  expiresAt: Date;
  usedAt?: Date;
  createdAt: Date;
}

const HOUR_MS = 3600 * 1000;
/** How long a link works: an address proof may wait two days, a password reset an hour. */
export const LINK_LIFETIME_MS: Record<AccountMessagePurpose, number> = {
  'email-verification': 48 * HOUR_MS,
  'password-reset': 1 * HOUR_MS,
};
const LINK_PATH: Record<AccountMessagePurpose, string> = {
  'email-verification': 'verify-email',
  'password-reset': 'reset-password',
};

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Links that prove an address or reset a password. The token exists only in the link (the event
 * notifications mails) and as a hash here; expiry is checked in code (no TTL indexes on the local store).
 */
@Injectable()
export class AccountMessages implements OnModuleInit {
  private readonly collection: mongo.Collection<AccountTokenDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    private readonly outbox: EventOutbox,
    private readonly config: AccountsConfig,
  ) {
    this.collection = connection.collection<AccountTokenDocument>('account_tokens');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ expiresAt: 1 }, { name: 'expires_at' });
  }

  /** A new link for the account, and the request that notifications mail it: one insert. */
  async request(
    user: { _id: string; email: string; householdId?: string },
    purpose: AccountMessagePurpose,
  ): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + LINK_LIFETIME_MS[purpose]);
    const link = `${this.config.PUBLIC_URL.replace(/\/+$/, '')}/${LINK_PATH[purpose]}?token=${token}`;
    const event = this.outbox.entry(AccountMessageRequested, {
      subject: user._id,
      data: {
        accountId: user._id,
        ...(user.householdId ? { householdId: user.householdId } : {}),
        purpose,
        email: user.email,
        link,
        expiresAt: expiresAt.toISOString(),
      },
    });
    await this.collection.insertOne(
      newDocumentWithEvents({ _id: hash(token), userId: user._id, purpose, expiresAt, createdAt: now }, [
        event,
      ]),
    );
    this.outbox.published('account_tokens', hash(token));
  }

  /** Spends a link's token once: its account id, or null when unknown, used, expired or of another purpose. */
  async spend(token: string, purpose: AccountMessagePurpose): Promise<string | null> {
    const now = new Date();
    const spent = await this.collection.findOneAndUpdate(
      { _id: hash(token), purpose, usedAt: { $exists: false }, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
      { returnDocument: 'after' },
    );
    return spent?.userId ?? null;
  }

  /** Expired links go once their message is out. */
  async purgeExpired(): Promise<number> {
    const result = await this.collection.deleteMany({
      expiresAt: { $lt: new Date() },
      outboxSince: { $exists: false },
    });
    return result.deletedCount;
  }
}
