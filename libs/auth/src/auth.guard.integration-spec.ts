import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { generateKeyPair } from 'jose';
import { ProblemDetailsFilter, Public } from '@guichet/platform';
import { TestTokenIssuer } from '@guichet/testing';
import { AuthModule } from './auth.module';
import { CurrentPrincipal, Roles } from './decorators';
import type { Principal } from './principal';

@Controller()
class ProbeController {
  @Public()
  @Get('open')
  open(): string {
    return 'open';
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Roles('finance', 'admin')
  @Get('grids-admin')
  finance(): string {
    return 'finance';
  }
}

describe('AuthGuard (tokens verified against a JWKS served over HTTP)', () => {
  const issuer = new TestTokenIssuer();
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    await issuer.start();
    @Module({
      imports: [
        AuthModule.forRoot({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience }),
      ],
      controllers: [ProbeController],
    })
    class ProbeModule {}
    app = await NestFactory.create(ProbeModule, { logger: false });
    app.useGlobalFilters(new ProblemDetailsFilter());
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
    await issuer.stop();
  });

  const get = (path: string, token?: string) =>
    fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('lets anyone reach a public route', async () => {
    expect((await get('/open')).status).toBe(200);
  });

  it('answers 401 problem+json with WWW-Authenticate without a token', async () => {
    const response = await get('/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="guichet"');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 401, title: 'Authentification requise' });
  });

  it('refuses a token signed by another key, expired, or for another audience', async () => {
    const { privateKey: stranger } = await generateKeyPair('ES256');
    const claims = { sub: 'u1', role: 'family' as const, hid: 'hh-1' };
    for (const token of [
      await issuer.token(claims, { key: stranger }),
      await issuer.token(claims, { expiresIn: '-1m' }),
      await issuer.token(claims, { audience: 'somebody-else' }),
      'a.b.c',
      // alg "none" and HS256 are refused as bad tokens (401), never mistaken for an outage (503)
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u1","role":"admin"}').toString('base64url')}.x`,
      `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"u1","role":"admin"}').toString('base64url')}.c2ln`,
    ]) {
      expect((await get('/me', token)).status).toBe(401);
    }
  });

  it('gives the handler the verified principal', async () => {
    const response = await get('/me', await issuer.token({ sub: 'u1', role: 'family', hid: 'hh-1' }));
    expect(await response.json()).toEqual({ subject: 'u1', role: 'family', householdId: 'hh-1', scopes: [] });
  });

  it('answers 403 to a role the route does not allow, 200 to one it does', async () => {
    expect(
      (await get('/grids-admin', await issuer.token({ sub: 'u1', role: 'family', hid: 'hh-1' }))).status,
    ).toBe(403);
    expect(
      (await get('/grids-admin', await issuer.token({ sub: 'u2', role: 'agent', scopes: ['cantine'] })))
        .status,
    ).toBe(403);
    expect((await get('/grids-admin', await issuer.token({ sub: 'u3', role: 'finance' }))).status).toBe(200);
  });

  it('refuses a family token that names no household', async () => {
    expect((await get('/me', await issuer.token({ sub: 'u1', role: 'family' }))).status).toBe(401);
  });
});
