import type { Admin } from 'kafkajs';
import { MetricsRegistry } from '@guichet/platform';
import { type OutboxCollection, PENDING_OUTBOX_FILTER } from '../outbox/outbox-relay';
import { consumerLag, eventsServerMetrics, registerOutboxBacklog } from './messaging-metrics';

describe('consumerLag', () => {
  it('is the latest offset minus the committed one, from the earliest when nothing is committed', async () => {
    const admin = {
      fetchOffsets: jest.fn().mockResolvedValue([
        {
          topic: 'guichet.enrolments.enrolment.v1',
          partitions: [
            { partition: 0, offset: '40' },
            { partition: 1, offset: '-1' },
          ],
        },
      ]),
      fetchTopicOffsets: jest.fn().mockResolvedValue([
        { partition: 0, offset: '42', high: '42', low: '0' },
        { partition: 1, offset: '10', high: '10', low: '3' },
      ]),
    } as unknown as Admin;
    await expect(consumerLag(admin, 'tariffs', ['guichet.enrolments.enrolment.v1'])).resolves.toEqual([
      { group: 'tariffs', topic: 'guichet.enrolments.enrolment.v1', partition: 0, lag: 2 },
      { group: 'tariffs', topic: 'guichet.enrolments.enrolment.v1', partition: 1, lag: 7 },
    ]);
    expect(admin.fetchOffsets).toHaveBeenCalledWith({
      groupId: 'tariffs',
      topics: ['guichet.enrolments.enrolment.v1'],
    });
  });
});

describe('outbox backlog', () => {
  it('counts pending documents per collection with the filter the outbox_pending_since index serves', async () => {
    const collection = (name: string, count: number) =>
      ({
        collectionName: name,
        countDocuments: jest.fn().mockResolvedValue(count),
      }) as unknown as OutboxCollection;
    const grids = collection('tariff_grids', 3);
    const registry = new MetricsRegistry('tariffs');
    registerOutboxBacklog(registry, [grids, collection('enrolment_prices', 0)]);
    const text = await registry.metrics();
    expect(text).toContain('guichet_outbox_backlog_documents{collection="tariff_grids",service="tariffs"} 3');
    expect(text).toContain(
      'guichet_outbox_backlog_documents{collection="enrolment_prices",service="tariffs"} 0',
    );
    expect(grids.countDocuments).toHaveBeenCalledWith(PENDING_OUTBOX_FILTER);
  });
});

describe('events server counters', () => {
  it('counts handled and failed events by type and dead letters by reason', async () => {
    const registry = new MetricsRegistry('tariffs');
    const hooks = eventsServerMetrics(registry);
    hooks.handled('fr.guichet.enrolment.accepted.v1');
    hooks.handled('fr.guichet.enrolment.accepted.v1');
    hooks.failed('fr.guichet.enrolment.accepted.v1');
    hooks.deadLettered('invalid-data');
    const text = await registry.metrics();
    expect(text).toContain(
      'guichet_events_handled_total{type="fr.guichet.enrolment.accepted.v1",service="tariffs"} 2',
    );
    expect(text).toContain(
      'guichet_events_failed_total{type="fr.guichet.enrolment.accepted.v1",service="tariffs"} 1',
    );
    expect(text).toContain('guichet_events_dead_lettered_total{reason="invalid-data",service="tariffs"} 1');
  });
});
