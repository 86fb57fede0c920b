import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { PermanentDeliveryError } from './outgoing-message';
import { HttpSmsProvider, SMS_MAX_LENGTH } from './sms-provider';

interface Received {
  authorization?: string;
  body: { from: string; to: string; text: string; reference: string };
}

/** A stand-in for an SMS provider's HTTP API on loopback: answers each request with the next status. */
describe('the HTTP SMS provider client', () => {
  const received: Received[] = [];
  const statuses: number[] = [];
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ authorization: request.headers.authorization, body: JSON.parse(body) });
        response.statusCode = statuses.shift() ?? 202;
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const message = {
    deliveryId: 'delivery-1',
    channel: 'sms' as const,
    recipient: '+33612345678',
    subject: 'Une place vous est proposée',
    text: 'Bonjour,\n\nUne place se libère.',
    html: '<p>ignored</p>',
  };

  it('posts the text with the sender, the number, the delivery reference and the token', async () => {
    await new HttpSmsProvider({ url, token: 'secret-token', sender: 'Guichet' }).send(message);
    expect(received.at(-1)).toEqual({
      authorization: 'Bearer secret-token',
      body: {
        from: 'Guichet',
        to: '+33612345678',
        text: 'Une place vous est proposée\nBonjour,\n\nUne place se libère.',
        reference: 'delivery-1',
      },
    });
  });

  it('cuts a long text to four SMS', async () => {
    await new HttpSmsProvider({ url, sender: 'Guichet' }).send({ ...message, text: 'x'.repeat(2_000) });
    const last = received.at(-1);
    expect(last?.body.text).toHaveLength(SMS_MAX_LENGTH);
    expect(last?.authorization).toBeUndefined();
  });

  it('fails for good on a refusal, and retryably when the provider is busy or down', async () => {
    const provider = new HttpSmsProvider({ url, sender: 'Guichet' });
    statuses.push(400, 429, 503);
    await expect(provider.send(message)).rejects.toBeInstanceOf(PermanentDeliveryError);
    for (const status of [429, 503]) {
      const error = await provider.send(message).catch((failure: Error) => failure);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentDeliveryError);
      expect((error as Error).message).toBe(`SMS provider answered ${status}`);
    }
  });
});
