// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are arbitrary JSON, checked field by field in tests
export type Json = any;

export interface JsonAnswer {
  status: number;
  type: string;
  body: Json;
}

/** One HTTP call with a JSON body and, when given, a bearer token; the answer's JSON parsed (if any). */
export async function requestJson(
  url: string,
  method: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : undefined,
  };
}
