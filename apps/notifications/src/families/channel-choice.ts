import type { Channel } from '../deliveries/delivery.repository';
import type { MessageTemplate } from '../templates/catalogue';
import type { ChannelPreferences, ContactDocument, OptionalChannel } from './household.repository';

export interface Target {
  channel: Channel;
  recipient: string;
}

/**
 * Who receives a message of a household, on which channels:
 * - the inbox always;
 * - a required message by email whenever an address is known, and by SMS when the family agreed to
 *   SMS notices (its preferences cannot turn them off);
 * - any other message on the channels the family chose for its category, or, when it chose nothing,
 *   on the channels it agreed to in its account (emailNotices, smsNotices).
 * A channel without an address or a phone is left out.
 */
export function chooseTargets(
  householdId: string,
  message: Pick<MessageTemplate, 'required' | 'category'>,
  contact: ContactDocument | null,
  preferences: ChannelPreferences | undefined,
): Target[] {
  const targets: Target[] = [{ channel: 'inbox', recipient: householdId }];
  if (!contact || contact.erased) return targets;
  const consented: OptionalChannel[] = [
    ...(contact.emailNotices ? (['email'] as const) : []),
    ...(contact.smsNotices ? (['sms'] as const) : []),
  ];
  const chosen = message.required
    ? ['email', ...(contact.smsNotices ? ['sms'] : [])]
    : (preferences?.[message.category] ?? consented);
  if (chosen.includes('email') && contact.email) targets.push({ channel: 'email', recipient: contact.email });
  if (chosen.includes('sms') && contact.phone) targets.push({ channel: 'sms', recipient: contact.phone });
  return targets;
}
