import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike, SignJWT } from 'jose';
import type { Connection, mongo } from 'mongoose';
import type { Principal } from '@guichet/auth';

interface SigningKeyDocument {
  _id: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: Date;
}

export const ACCESS_TOKEN_SECONDS = 15 * 60;

export const TOKEN_SETTINGS = Symbol('TOKEN_SETTINGS');
export interface TokenSettings {
  issuer: string;
  audience: string;
}

/**
 * The asymmetric keys that sign access tokens (ES256). The public halves are published as a JWKS so
 * every service verifies tokens alone. A key is made at first start and kept in the database, so
 * every instance signs with the same one; two instances starting together may each make one, and
 * both are then published (the newest signs).
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private readonly collection: mongo.Collection<SigningKeyDocument>;
  private current?: { kid: string; key: KeyLike | Uint8Array };

  constructor(
    @InjectConnection() connection: Connection,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
  ) {
    this.collection = connection.collection<SigningKeyDocument>('signing_keys');
  }

  async onModuleInit(): Promise<void> {
    if ((await this.collection.countDocuments({}, { limit: 1 })) === 0) {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = randomUUID();
      await this.collection.insertOne({
        _id: kid,
        privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
        publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
        createdAt: new Date(),
      });
    }
  }

  /** The JWKS: every public key, newest first. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const documents = await this.collection.find({}).sort({ createdAt: -1, _id: 1 }).limit(10).toArray();
    return { keys: documents.map((d) => d.publicJwk) };
  }

  async signAccessToken(principal: Principal): Promise<string> {
    const { kid, key } = await this.signingKey();
    return new SignJWT({ role: principal.role, hid: principal.householdId, scopes: principal.scopes })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject(principal.subject)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_SECONDS}s`)
      .sign(key);
  }

  private async signingKey(): Promise<{ kid: string; key: KeyLike | Uint8Array }> {
    if (!this.current) {
      const newest = await this.collection.find({}).sort({ createdAt: -1, _id: 1 }).limit(1).next();
      if (!newest) throw new Error('no signing key');
      this.current = { kid: newest._id, key: await importJWK(newest.privateJwk, 'ES256') };
    }
    return this.current;
  }
}
