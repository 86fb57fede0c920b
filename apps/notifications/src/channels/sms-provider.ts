import { Logger } from '@nestjs/common';
import { OutgoingMessage, PermanentDeliveryError } from './outgoing-message';

/** The port of the SMS channel: one provider sends a text to a phone number (E.164). */
export abstract class SmsProvider {
  abstract send(message: OutgoingMessage): Promise<void>;
}

/** The longest SMS we send: four concatenated segments. */
export const SMS_MAX_LENGTH = 612;

/** The text of an SMS: the subject, then the message, cut to fit. */
export function smsText(message: Pick<OutgoingMessage, 'subject' | 'text'>): string {
  const text = `${message.subject}\n${message.text}`.replace(/\n{3,}/g, '\n\n');
  return text.length <= SMS_MAX_LENGTH ? text : `${text.slice(0, SMS_MAX_LENGTH - 1)}…`;
}

export interface SentSms {
  deliveryId: string;
  to: string;
  text: string;
}

/**
 * Local and test stand-in for a provider (used when SMS_PROVIDER_URL is unset): it keeps the
 * messages in memory and logs only their delivery ids.
 */
export class FakeSmsProvider extends SmsProvider {
  private readonly logger = new Logger('FakeSmsProvider');
  readonly sent: SentSms[] = [];

  async send(message: OutgoingMessage): Promise<void> {
    this.sent.push({ deliveryId: message.deliveryId, to: message.recipient, text: smsText(message) });
    this.logger.log(`delivery ${message.deliveryId}: SMS kept by the fake provider`);
  }
}

export interface HttpSmsSettings {
  url: string;
  token?: string;
  sender: string;
}

/**
 * A generic SMS provider HTTP API: `POST <url>` with `{ from, to, text, reference }` as JSON and a
 * bearer token. 2xx is accepted; 429 and 5xx are retried; other 4xx are final.
 */
export class HttpSmsProvider extends SmsProvider {
  constructor(private readonly settings: HttpSmsSettings) {
    super();
  }

  async send(message: OutgoingMessage): Promise<void> {
    const response = await fetch(this.settings.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.settings.token ? { authorization: `Bearer ${this.settings.token}` } : {}),
      },
      body: JSON.stringify({
        from: this.settings.sender,
        to: message.recipient,
        text: smsText(message),
        reference: message.deliveryId,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) return;
    const reason = `SMS provider answered ${response.status}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      throw new PermanentDeliveryError(reason);
    }
    throw new Error(reason);
  }
}
