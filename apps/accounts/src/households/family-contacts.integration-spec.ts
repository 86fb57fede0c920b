import type { INestApplication } from '@nestjs/common';
import {
  ChildAdded,
  ChildUpdated,
  HouseholdContactChanged,
  HouseholdUpdated,
  Topics,
} from '@guichet/contracts';
import { expectEventually, KafkaProbe } from '@guichet/testing';
import {
  Call,
  contractData,
  recordsOf,
  registerFamily,
  startAccounts,
  TestFamily,
} from '../test-support/accounts-harness';

describe('the family file: guardians, contact, consents, allocataire, children (real stack)', () => {
  let accounts: INestApplication;
  let call: Call;
  let events: KafkaProbe;
  let family: TestFamily;
  let other: TestFamily;

  const contactEvents = (householdId: string) =>
    recordsOf(events.records, householdId, HouseholdContactChanged).map((r) =>
      contractData(HouseholdContactChanged, r),
    );

  beforeAll(async () => {
    ({ app: accounts, call } = await startAccounts('accounts-contacts'));
    events = await new KafkaProbe().watch(Topics.contacts, Topics.households);
    family = await registerFamily(call, 'contacts', { consents: { smsNotices: false } });
    other = await registerFamily(call, 'other');
  });

  afterAll(async () => {
    await events.stop();
    await accounts.close();
  });

  it('announces the contact at registration: the account address, email notices on, SMS off', async () => {
    const [first] = await expectEventually(() => {
      const found = contactEvents(family.householdId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(first).toEqual({
      householdId: family.householdId,
      email: family.email.toLowerCase(),
      emailNotices: true,
      smsNotices: false,
    });
  });

  it('adds guardians with contact details and who pays, and refuses bad ones naming the field', async () => {
    const added = await call(
      'POST',
      `/households/${family.householdId}/guardians`,
      { firstName: 'Awa', lastName: 'Diallo', relationship: 'mère', phone: '+33612345678', pays: true },
      family.token,
    );
    expect(added.status).toBe(201);
    expect(added.body.guardians).toEqual([
      expect.objectContaining({ firstName: 'Awa', phone: '+33612345678', pays: true }),
    ]);
    const guardianId = added.body.guardians[0].guardianId;
    const bad = await call(
      'POST',
      `/households/${family.householdId}/guardians`,
      { firstName: 'X', lastName: 'Y', phone: '06 12 34 56 78', email: 'nope', pays: 'yes' },
      family.token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'pays', 'phone']);

    const changed = await call(
      'PATCH',
      `/households/${family.householdId}/guardians/${guardianId}`,
      { pays: false, email: 'awa@example.fr' },
      family.token,
    );
    expect(changed.body.guardians[0]).toMatchObject({
      firstName: 'Awa',
      pays: false,
      email: 'awa@example.fr',
    });
    expect(
      (
        await call(
          'PATCH',
          `/households/${family.householdId}/guardians/unknown`,
          { pays: true },
          family.token,
        )
      ).status,
    ).toBe(404);
    const removed = await call(
      'DELETE',
      `/households/${family.householdId}/guardians/${guardianId}`,
      undefined,
      family.token,
    );
    expect(removed.body.guardians).toEqual([]);
    // Guardians are no notices' address: no contact event came of them.
    expect(contactEvents(family.householdId)).toHaveLength(1);
  });

  it('announces a new phone or notice consent in the same write, and nothing for other changes', async () => {
    const patched = await call(
      'PATCH',
      `/households/${family.householdId}`,
      {
        contact: { phone: '+33698765432' },
        consents: { smsNotices: true, cafDataSharing: true },
        allocataire: { organisme: 'caf', number: '1234567' },
      },
      family.token,
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      contact: { email: family.email.toLowerCase(), phone: '+33698765432' },
      consents: { cafDataSharing: true, emailNotices: true, smsNotices: true },
      allocataire: { organisme: 'caf', number: '1234567' },
    });
    // CAF sharing and the allocataire number are not the notifications' business: no event for them alone.
    await call(
      'PATCH',
      `/households/${family.householdId}`,
      { consents: { cafDataSharing: false } },
      family.token,
    );
    const found = await expectEventually(() => {
      const all = contactEvents(family.householdId);
      expect(all).toHaveLength(2);
      return all;
    });
    expect(found[1]).toEqual({
      householdId: family.householdId,
      email: family.email.toLowerCase(),
      phone: '+33698765432',
      emailNotices: true,
      smsNotices: true,
    });
    expect(recordsOf(events.records, family.householdId, HouseholdUpdated)).toHaveLength(0);

    const bad = await call(
      'PATCH',
      `/households/${family.householdId}`,
      { contact: { phone: '0612' }, allocataire: { organisme: 'cpam', number: 'abc' } },
      family.token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'allocataire.number',
      'allocataire.organisme',
      'contact.phone',
    ]);
    const after = await call('GET', `/households/${family.householdId}`, undefined, family.token);
    expect(after.body.version).toBe(patched.body.version + 1);
  });

  it('keeps a child’s school and class here and announces its update without names', async () => {
    const added = await call(
      'POST',
      `/households/${family.householdId}/children`,
      {
        firstName: 'Lina',
        lastName: 'Diallo',
        birthDate: '2018-03-02',
        school: 'École Jean Jaurès',
        schoolClass: 'CE1',
      },
      family.token,
    );
    const childId = added.body.children[0].childId;
    const updated = await call(
      'PATCH',
      `/households/${family.householdId}/children/${childId}`,
      { schoolClass: 'CE2', aeeh: true },
      family.token,
    );
    expect(updated.body.children[0]).toMatchObject({
      firstName: 'Lina',
      birthDate: '2018-03-02',
      school: 'École Jean Jaurès',
      schoolClass: 'CE2',
      aeeh: true,
      pai: false,
    });
    expect(
      (await call('PATCH', `/households/${family.householdId}/children/unknown`, { pai: true }, family.token))
        .status,
    ).toBe(404);
    expect(
      (
        await call(
          'PATCH',
          `/households/${family.householdId}/children/${childId}`,
          { birthDate: '2018-13-40' },
          family.token,
        )
      ).status,
    ).toBe(400);
    const [record] = await expectEventually(() => {
      const found = recordsOf(events.records, family.householdId, ChildUpdated);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(contractData(ChildUpdated, record)).toEqual({
      householdId: family.householdId,
      childId,
      birthDate: '2018-03-02',
      pai: false,
      aeeh: true,
    });
    expect(record.value).not.toMatch(/Lina|Diallo|Jaurès|CE2/);
    contractData(ChildAdded, recordsOf(events.records, family.householdId, ChildAdded)[0]);
  });

  it('lets no other family read or change any of it', async () => {
    const id = family.householdId;
    const attempts = [
      call('POST', `/households/${id}/guardians`, { firstName: 'A', lastName: 'B', pays: true }, other.token),
      call('PATCH', `/households/${id}`, { consents: { smsNotices: false } }, other.token),
      call('PATCH', `/households/${id}/children/any`, { pai: true }, other.token),
    ];
    for (const answer of await Promise.all(attempts)) expect(answer.status).toBe(404);
  });
});
