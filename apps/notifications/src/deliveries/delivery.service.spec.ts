import { maskPersonalData, retryWrite } from './delivery.service';

describe('failure reasons', () => {
  it('masks the addresses and phone numbers a relay or provider quotes', () => {
    expect(
      maskPersonalData(
        "Can't send mail - all recipients were rejected: 550 5.1.1 <jeanne.dupont+cantine@mairie-nimes.fr>: unknown",
      ),
    ).toBe("Can't send mail - all recipients were rejected: 550 5.1.1 <<adresse>>: unknown");
    expect(maskPersonalData('number +33 6 12 34 56 78 unreachable')).toBe('number <numéro> unreachable');
    expect(maskPersonalData('SMS provider answered 503')).toBe('SMS provider answered 503');
  });

  it('is never empty nor longer than an event allows', () => {
    expect(maskPersonalData('  ')).toBe('échec sans motif');
    expect(maskPersonalData('x'.repeat(2_000))).toHaveLength(500);
  });
});

describe('recording a sent delivery while the database is away', () => {
  const unavailable = () => Object.assign(new Error('connection refused'), { name: 'MongoNetworkError' });

  it('tries the write again until it succeeds, so the job does not fail and send the message twice', async () => {
    const write = jest
      .fn<Promise<boolean>, []>()
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(unavailable())
      .mockResolvedValue(true);
    const retried: string[] = [];
    await expect(
      retryWrite(write, { attempts: 5, firstDelayMs: 0, onRetry: (error) => retried.push(error.message) }),
    ).resolves.toBe(true);
    expect(write).toHaveBeenCalledTimes(3);
    expect(retried).toEqual(['connection refused', 'connection refused']);
  });

  it('gives up after its attempts with the last failure', async () => {
    const write = jest.fn<Promise<boolean>, []>().mockRejectedValue(unavailable());
    await expect(retryWrite(write, { attempts: 3, firstDelayMs: 0 })).rejects.toThrow('connection refused');
    expect(write).toHaveBeenCalledTimes(3);
  });
});
