import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';

export interface TestClaims {
  sub: string;
  role: 'family' | 'agent' | 'finance' | 'admin';
  hid?: string;
  scopes?: string[];
}

/**
 * Stands in for accounts in tests of other services: an ES256 key pair, its JWKS served over HTTP on
 * loopback, and tokens signed with it, so the services' real verification path is exercised.
 */
export class TestTokenIssuer {
  readonly issuer = 'guichet-accounts';
  readonly audience = 'guichet';
  private server?: Server;
  private privateKey?: KeyLike;
  private jwk?: JWK;

  async start(): Promise<this> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    this.privateKey = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
    this.server = createServer((_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [this.jwk] }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get jwksUrl(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}/.well-known/jwks.json`;
  }

  async token(
    claims: TestClaims,
    options: { expiresIn?: string; audience?: string; key?: KeyLike } = {},
  ): Promise<string> {
    const key = options.key ?? this.privateKey;
    if (!key) throw new Error('start() the issuer first');
    return new SignJWT({ role: claims.role, hid: claims.hid, scopes: claims.scopes ?? [] })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setSubject(claims.sub)
      .setIssuer(this.issuer)
      .setAudience(options.audience ?? this.audience)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(key);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
