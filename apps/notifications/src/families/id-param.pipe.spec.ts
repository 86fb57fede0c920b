import { ProblemException } from '@guichet/platform';
import { IdParamPipe } from './id-param.pipe';

describe('IdParamPipe', () => {
  const pipe = new IdParamPipe();
  const check = (value: string) => pipe.transform(value, { type: 'param', data: 'id' });

  it('lets through the ids Guichet makes: UUIDs, delivery ids, test names', () => {
    for (const id of [
      '3f2b8c1e-6d4a-4f6e-9b7a-2c1d0e9f8a7b',
      'Xk3_9-pQzR2mN8vB4cL7tY1wE5oA6sD0',
      'hh-1a2b3c4d',
    ]) {
      expect(check(id)).toBe(id);
    }
  });

  it.each(['', ' ', '..', '../..', '{"$gt":""}', '$where', 'a\u0000b', '😀', 'x'.repeat(65)])(
    'refuses %j with a 400 that names the parameter',
    (value) => {
      let refusal: unknown;
      try {
        check(value);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(ProblemException);
      expect((refusal as ProblemException).problem).toMatchObject({
        status: 400,
        errors: [{ field: 'id', message: 'id must be 1 to 64 letters, digits, - or _' }],
      });
    },
  );
});
