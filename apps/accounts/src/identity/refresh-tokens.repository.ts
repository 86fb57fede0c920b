import { createHash, randomBytes } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';

/** A refresh token, stored by its hash; each use replaces it by a new one of the same family. */
interface RefreshTokenDocument {
  _id: string;
  userId: string;
  familyId: string;
  expiresAt: Date;
  usedAt?: Date;
  revokedAt?: Date;
}

export const REFRESH_TOKEN_DAYS = 30;

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

export type RefreshOutcome =
  { kind: 'ok'; userId: string; familyId: string } | { kind: 'invalid' } | { kind: 'reused' };

/**
 * Rotating refresh tokens: each is good once. Using one twice (stolen, replayed) revokes its whole
 * family, so the thief and the victim both have to log in again. Expired tokens are purged by the
 * service's own cleanup (no TTL indexes on the local store).
 */
@Injectable()
export class RefreshTokensRepository implements OnModuleInit {
  private readonly collection: mongo.Collection<RefreshTokenDocument>;
  /** One record per revoked family, so a token issued while a family is being revoked dies too. */
  private readonly revokedFamilies: mongo.Collection<{ _id: string; revokedAt: Date }>;

  constructor(@InjectConnection() connection: Connection) {
    this.collection = connection.collection<RefreshTokenDocument>('refresh_tokens');
    this.revokedFamilies = connection.collection<{ _id: string; revokedAt: Date }>('revoked_token_families');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ familyId: 1 }, { name: 'family' });
    await this.collection.createIndex({ expiresAt: 1 }, { name: 'expires_at' });
    await this.collection.createIndex({ userId: 1 }, { name: 'user' });
  }

  /**
   * Issues a new token of a family (a new family at login): the token itself, shown once, or null
   * when the family was revoked meanwhile (a replay detected at the same moment).
   */
  async issue(userId: string, familyId: string): Promise<string | null> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + REFRESH_TOKEN_DAYS * 24 * 3600 * 1000);
    await this.collection.insertOne({ _id: hash(token), userId, familyId, expiresAt });
    // Checked after the insert: a revocation that ran before sees this token or is seen here.
    if (await this.revokedFamilies.findOne({ _id: familyId })) {
      await this.collection.updateOne({ _id: hash(token) }, { $set: { revokedAt: new Date() } });
      return null;
    }
    return token;
  }

  /** Spends a token: good once, and only while its family stands. */
  async spend(token: string): Promise<RefreshOutcome> {
    const id = hash(token);
    const now = new Date();
    const spent = await this.collection.updateOne(
      { _id: id, usedAt: { $exists: false }, revokedAt: { $exists: false }, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
    );
    const document = await this.collection.findOne({ _id: id });
    if (!document) return { kind: 'invalid' };
    if (spent.modifiedCount === 1) {
      if (await this.revokedFamilies.findOne({ _id: document.familyId })) return { kind: 'invalid' };
      return { kind: 'ok', userId: document.userId, familyId: document.familyId };
    }
    if (document.usedAt && !document.revokedAt) {
      await this.revokeFamily(document.familyId);
      return { kind: 'reused' };
    }
    return { kind: 'invalid' };
  }

  async revokeFamilyOf(token: string): Promise<void> {
    const document = await this.collection.findOne({ _id: hash(token) });
    if (document) await this.revokeFamily(document.familyId);
  }

  /** Every session of an account ends (a password reset). */
  async revokeAllOf(userId: string): Promise<void> {
    const families: string[] = await this.collection.distinct('familyId', { userId });
    for (const familyId of families) await this.revokeFamily(familyId);
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.revokedFamilies.updateOne(
      { _id: familyId },
      { $set: { revokedAt: new Date() } },
      { upsert: true },
    );
    await this.collection.updateMany(
      { familyId, revokedAt: { $exists: false } },
      { $set: { revokedAt: new Date() } },
    );
  }

  async purgeExpired(): Promise<number> {
    const lastPossibleToken = new Date(Date.now() - REFRESH_TOKEN_DAYS * 24 * 3600 * 1000);
    await this.revokedFamilies.deleteMany({ revokedAt: { $lt: lastPossibleToken } });
    return (await this.collection.deleteMany({ expiresAt: { $lt: new Date() } })).deletedCount;
  }
}
