import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** When the server accepted the mail (Date.now()). */
  receivedAt: number;
}

/**
 * Which SMTP reply a RCPT TO gets: a 4xx/5xx code refuses it, undefined accepts. `attempt` counts the
 * tries for this address (1, 2, …), so a server can refuse the first ones and then accept.
 */
export type RecipientPolicy = (address: string, attempt: number) => number | undefined;

/** A real SMTP server on loopback (the `smtp-server` package) that keeps every mail it accepts, parsed. */
export class SmtpTestServer {
  readonly mails: ReceivedMail[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly server: SMTPServer;

  constructor(private readonly policy: RecipientPolicy = () => undefined) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const attempt = (this.attempts.get(address.address) ?? 0) + 1;
        this.attempts.set(address.address, attempt);
        const code = this.policy(address.address, attempt);
        if (code === undefined) return callback();
        const refusal = Object.assign(new Error(`mailbox unavailable, try later`), { responseCode: code });
        callback(refusal);
      },
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            this.mails.push({
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              receivedAt: Date.now(),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** How many times an address was tried (accepted or refused). */
  attemptsFor(address: string): number {
    return this.attempts.get(address) ?? 0;
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
