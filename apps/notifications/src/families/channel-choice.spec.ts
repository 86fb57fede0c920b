import { chooseTargets } from './channel-choice';
import type { ContactDocument } from './household.repository';

const contact: ContactDocument = {
  _id: 'hh-1',
  email: 'parent@example.org',
  phone: '+33612345678',
  emailNotices: true,
  smsNotices: false,
  asOf: '2026-09-01T00:00:00Z',
};
const channels = (targets: { channel: string }[]) => targets.map((target) => target.channel);

describe('choosing the channels of a message', () => {
  const optional = { required: false, category: 'enrolments' as const };
  const required = { required: true, category: 'places' as const };

  it('always writes to the inbox, even with no contact known', () => {
    expect(chooseTargets('hh-1', optional, null, undefined)).toEqual([
      { channel: 'inbox', recipient: 'hh-1' },
    ]);
  });

  it('follows the account consents when the family chose nothing', () => {
    expect(chooseTargets('hh-1', optional, contact, undefined)).toEqual([
      { channel: 'inbox', recipient: 'hh-1' },
      { channel: 'email', recipient: 'parent@example.org' },
    ]);
    expect(channels(chooseTargets('hh-1', optional, { ...contact, smsNotices: true }, {}))).toEqual([
      'inbox',
      'email',
      'sms',
    ]);
  });

  it('follows the family’s choice for the category', () => {
    expect(channels(chooseTargets('hh-1', optional, contact, { enrolments: [] }))).toEqual(['inbox']);
    expect(channels(chooseTargets('hh-1', optional, contact, { enrolments: ['sms'] }))).toEqual([
      'inbox',
      'sms',
    ]);
    expect(channels(chooseTargets('hh-1', optional, contact, { prices: [] }))).toEqual(['inbox', 'email']);
  });

  it('sends a required message by email whatever the preferences, and by SMS only with consent', () => {
    expect(channels(chooseTargets('hh-1', required, contact, { places: [] }))).toEqual(['inbox', 'email']);
    expect(
      channels(
        chooseTargets(
          'hh-1',
          required,
          { ...contact, emailNotices: false, smsNotices: true },
          { places: [] },
        ),
      ),
    ).toEqual(['inbox', 'email', 'sms']);
  });

  it('leaves out a channel without an address, and everything but the inbox after erasure', () => {
    const noEmail = { ...contact, email: undefined };
    expect(channels(chooseTargets('hh-1', required, noEmail, undefined))).toEqual(['inbox']);
    expect(channels(chooseTargets('hh-1', required, { ...contact, erased: true }, undefined))).toEqual([
      'inbox',
    ]);
  });
});
