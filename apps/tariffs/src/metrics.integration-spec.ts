import type { INestApplication } from '@nestjs/common';
import type { Connection } from 'mongoose';
import { expectEventually, metricSample, requestJson, TestTokenIssuer, uniqueName } from '@guichet/testing';
import { demoCantineGrid as demo, startTariffs } from './test-support/tariffs-harness';

const METRICS_TOKEN = 'metrics-token-for-the-test';

describe('Prometheus metrics of a service (real Kafka and FerretDB)', () => {
  const issuer = new TestTokenIssuer();
  let app: INestApplication;
  let base: string;
  let finance: string;

  const scrape = async (token = METRICS_TOKEN) => {
    const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  };

  beforeAll(async () => {
    await issuer.start();
    ({ app, base } = await startTariffs('tariffs-metrics', issuer, { METRICS_TOKEN }));
    finance = await issuer.token({ sub: 'finance-1', role: 'finance' });
  });

  afterAll(async () => {
    await app.close();
    await issuer.stop();
  });

  it('refuses a scrape without the METRICS_TOKEN, as problem+json', async () => {
    const anonymous = await fetch(`${base}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await scrape('not-the-metrics-token')).status).toBe(401);
    // A user's access token is not the metrics token either.
    expect((await scrape(finance)).status).toBe(401);
  });

  it('records HTTP latency by route template, method and status class, never by raw URL', async () => {
    const gridIds = [uniqueName('cantine'), uniqueName('cantine')];
    for (const id of gridIds) {
      expect(
        (await requestJson(`${base}/grids`, 'POST', { token: finance, body: { ...demo, id } })).status,
      ).toBe(201);
      expect((await requestJson(`${base}/grids/${id}`, 'GET', { token: finance })).status).toBe(200);
    }
    expect(
      (await requestJson(`${base}/grids/${uniqueName('missing')}`, 'GET', { token: finance })).status,
    ).toBe(404);
    expect((await requestJson(`${base}/grids`, 'GET')).status).toBe(401);

    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const count = 'http_request_duration_seconds_count{';
    expect(metricSample(text, count, 'method="GET"', 'route="/grids/:id"', 'status_class="2xx"')).toBe(2);
    expect(metricSample(text, count, 'method="GET"', 'route="/grids/:id"', 'status_class="4xx"')).toBe(1);
    expect(metricSample(text, count, 'method="POST"', 'route="/grids"', 'status_class="2xx"')).toBe(2);
    expect(metricSample(text, count, 'method="GET"', 'route="/grids"', 'status_class="4xx"')).toBe(1);
    expect(
      metricSample(text, 'http_request_duration_seconds_bucket{', 'route="/grids/:id"', 'le="+Inf"'),
    ).toBeGreaterThan(0);
    expect(text).toContain('service="tariffs"');
    for (const id of gridIds) expect(text).not.toContain(id);
  });

  it('counts refused bodies and unknown paths without a route of their own', async () => {
    const before =
      metricSample((await scrape()).text, 'http_request_duration_seconds_count{', 'route="unmatched"') ?? 0;
    const invalidJson = await fetch(`${base}/quotes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${finance}` },
      body: '{"not json',
    });
    expect(invalidJson.status).toBe(400);
    expect((await fetch(`${base}/no-such-path/${uniqueName('x')}`)).status).toBe(404);
    const after = metricSample(
      (await scrape()).text,
      'http_request_duration_seconds_count{',
      'route="unmatched"',
    );
    expect(after).toBeGreaterThanOrEqual(before + 1);
  });

  it('exposes the outbox backlog of each outbox collection, consumer lag and process metrics', async () => {
    const { text } = await scrape();
    for (const collection of ['tariff_grids', 'enrolment_prices']) {
      expect(
        metricSample(text, 'guichet_outbox_backlog_documents{', `collection="${collection}"`),
      ).toBeGreaterThanOrEqual(0);
    }
    expect(metricSample(text, 'guichet_consumer_lag_messages{', 'group="tariffs"')).toBeGreaterThanOrEqual(0);
    expect(metricSample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('# TYPE guichet_events_handled_total counter');
    expect(metricSample(text, 'guichet_metrics_collect_failures_total')).toBeUndefined();
  });

  it('counts the documents whose events wait for the relay', async () => {
    const grids = app.get<Connection>('DatabaseConnection').collection<{
      _id: string;
      outbox: unknown[];
      outboxPending: true;
      outboxSince: Date;
      outboxLease: Date;
    }>('tariff_grids');
    const backlog = async () =>
      metricSample((await scrape()).text, 'guichet_outbox_backlog_documents{', 'collection="tariff_grids"');
    await expectEventually(async () => expect(await backlog()).toBe(0));
    // A document another relay instance holds (its lease runs for an hour): pending, not published.
    const _id = uniqueName('held-grid');
    await grids.insertOne({
      _id,
      outbox: [],
      outboxPending: true,
      outboxSince: new Date(),
      outboxLease: new Date(Date.now() + 3_600_000),
    });
    expect(await backlog()).toBe(1);
    await grids.deleteOne({ _id });
    expect(await backlog()).toBe(0);
  });

  it('keeps /metrics out of the OpenAPI document', async () => {
    const openapi = await requestJson(`${base}/docs/openapi.json`, 'GET');
    expect(Object.keys(openapi.body.paths)).not.toContain('/metrics');
  });
});
