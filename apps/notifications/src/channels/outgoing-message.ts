import type { Channel } from '../deliveries/delivery.repository';

/** What a channel sends: one rendered message to one recipient (an address, a phone, a household's inbox). */
export interface OutgoingMessage {
  deliveryId: string;
  channel: Channel;
  recipient: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * A refusal that no retry can fix (an address the server rejects for good): the delivery fails at
 * once instead of using up its attempts.
 */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
