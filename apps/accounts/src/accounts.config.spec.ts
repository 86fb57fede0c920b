import { loadConfig } from '@guichet/platform';
import { AccountsConfig } from './accounts.config';

const base = {
  PORT: '3001',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/guichet-accounts',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('the accounts configuration', () => {
  it('has defaults for every accounts variable, the API Particulier fake included', () => {
    const config = loadConfig(AccountsConfig, base);
    expect(config).toMatchObject({
      PUBLIC_URL: 'http://localhost:3000',
      DOCUMENTS_DIR: '.local/documents',
      DOCUMENT_MAX_BYTES: 5 * 1024 * 1024,
    });
    expect(config.API_PARTICULIER_URL).toBeUndefined();
  });

  it('wants a token and the city’s SIRET with a real API Particulier', () => {
    expect(() =>
      loadConfig(AccountsConfig, { ...base, API_PARTICULIER_URL: 'https://particulier.api.gouv.fr' }),
    ).toThrow(
      /API_PARTICULIER_TOKEN[\s\S]*API_PARTICULIER_RECIPIENT|API_PARTICULIER_RECIPIENT[\s\S]*API_PARTICULIER_TOKEN/,
    );
  });

  it('accepts dated parts rule sets in halves of a part, and names what is wrong otherwise', () => {
    const rule = {
      name: 'city',
      validFrom: '2027-01-01',
      singleParent: 2,
      couple: 2,
      children: [0.5, 0.5, 0.5],
      furtherChild: 0.5,
      disabledChild: 0.5,
    };
    expect(
      loadConfig(AccountsConfig, { ...base, QF_PARTS_RULES: JSON.stringify([rule]) }).QF_PARTS_RULES,
    ).toBeDefined();
    expect(() =>
      loadConfig(AccountsConfig, { ...base, QF_PARTS_RULES: JSON.stringify([{ ...rule, couple: 1.3 }]) }),
    ).toThrow(/QF_PARTS_RULES rule set 1: parts must be multiples of 0.5/);
    expect(() => loadConfig(AccountsConfig, { ...base, QF_PARTS_RULES: '{' })).toThrow(
      /QF_PARTS_RULES is not JSON/,
    );
  });
});
