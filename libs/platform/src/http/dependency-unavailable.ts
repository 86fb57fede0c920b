/**
 * Errors that mean a dependency (MongoDB, Kafka, Redis) is out of reach, not that the request was
 * wrong: they are answered 503 with Retry-After so clients come back, never 500.
 */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'DependencyUnavailableError',
]);

export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError';
}

export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  if (/ECONNREFUSED|buffering timed out/.test(error.message)) return true;
  return error.cause !== undefined && error.cause !== error && isDependencyUnavailable(error.cause);
}
