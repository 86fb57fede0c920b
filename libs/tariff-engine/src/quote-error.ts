/** Why a price cannot be given: the field at fault and a reason a family or an agent can read. */
export class QuoteError extends Error {
  constructor(
    readonly code: 'qf-required' | 'resources-required' | 'no-tranche' | 'no-version' | 'invalid-facts',
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'QuoteError';
  }
}
