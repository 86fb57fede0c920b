import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { NotificationsConfig } from '../notifications.config';
import { OutgoingMessage, PermanentDeliveryError } from './outgoing-message';

/** How many mails the email worker sends at once (its connections to the relay). */
export const EMAIL_CONCURRENCY = 4;

/** Sends mail over SMTP with nodemailer; without SMTP_URL (local development) it only logs the delivery id. */
@Injectable()
export class EmailSender implements OnApplicationShutdown {
  private readonly logger = new Logger(EmailSender.name);
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(@Inject(NotificationsConfig) config: NotificationsConfig) {
    this.from = config.MAIL_FROM;
    this.transport = config.SMTP_URL
      ? createTransport({
          url: config.SMTP_URL,
          // Connections kept open and reused (as many as the email worker sends at once): a mail no
          // longer pays a TCP connection, the relay's greeting and EHLO of its own.
          pool: true,
          maxConnections: EMAIL_CONCURRENCY,
          maxMessages: 100,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 60_000,
        })
      : createTransport({ jsonTransport: true });
    if (!config.SMTP_URL) this.logger.warn('SMTP_URL is not set: mails are logged by id, not sent');
  }

  async send(message: OutgoingMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: message.recipient,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // The same delivery always has the same Message-ID: a retried send is recognisable downstream.
        messageId: `<${message.deliveryId}@guichet.notifications>`,
      });
    } catch (error) {
      throw classifySmtpError(error);
    }
    this.logger.log(`delivery ${message.deliveryId}: mail handed to the relay`);
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

/** SMTP 5xx answers are final (unknown mailbox, refused content); 4xx and network errors are worth a retry. */
function classifySmtpError(error: unknown): Error {
  const code = (error as { responseCode?: number }).responseCode;
  const reason = error instanceof Error ? error.message : String(error);
  if (code !== undefined && code >= 500) return new PermanentDeliveryError(reason);
  return error instanceof Error ? error : new Error(reason);
}
