import { createEnvelope } from './envelope';
import { fromKafkaRecord, MalformedEventError, toKafkaRecord } from './kafka-binding';

describe('CloudEvents Kafka binding', () => {
  const envelope = createEnvelope(
    'guichet/accounts',
    {
      type: 'fr.guichet.household.registered.v1',
      subject: 'hh-1',
      data: { householdId: 'hh-1', resident: true, childrenCount: 2 },
      causationId: 'cause-1',
      sequence: 3,
    },
    new Date('2026-09-01T06:30:00.000Z'),
  );

  it('keys the record by the subject and carries every attribute as a ce_ header', () => {
    const record = toKafkaRecord(envelope);
    expect(record.key).toBe('hh-1');
    expect(record.headers).toMatchObject({
      ce_id: envelope.id,
      ce_source: 'guichet/accounts',
      ce_type: 'fr.guichet.household.registered.v1',
      ce_specversion: '1.0',
      ce_time: '2026-09-01T06:30:00.000Z',
      ce_subject: 'hh-1',
      ce_correlationid: envelope.id,
      ce_causationid: 'cause-1',
      ce_sequence: '3',
      'content-type': 'application/json',
    });
    expect(JSON.parse(record.value)).toEqual(envelope.data);
  });

  it('reads back exactly what it wrote, from buffers as Kafka delivers them', () => {
    const record = toKafkaRecord(envelope);
    const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(
      fromKafkaRecord({ key: Buffer.from(record.key), value: Buffer.from(record.value), headers }),
    ).toEqual(envelope);
  });

  it('refuses a record without CloudEvents headers or with a value that is not JSON', () => {
    expect(() => fromKafkaRecord({ key: 'k', value: '{}', headers: {} })).toThrow(MalformedEventError);
    const record = toKafkaRecord(envelope);
    expect(() => fromKafkaRecord({ ...record, value: '{not json' })).toThrow('not JSON');
    expect(() => fromKafkaRecord({ ...record, headers: { ...record.headers, ce_sequence: '-1' } })).toThrow(
      'bad sequence',
    );
  });
});
