/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: OpenApiSchema;
}

export interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: OpenApiSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export interface Operation {
  method: Uppercase<(typeof HTTP_METHODS)[number]>;
  /** The OpenAPI path template, e.g. `/grids/{id}/versions/{version}`. */
  path: string;
  operation: OpenApiOperation;
}

/** Every operation of the document, in the document's order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method]).map((method) => ({
      method: method.toUpperCase() as Operation['method'],
      path,
      operation: item[method],
    })),
  );
}

/** A schema with its `$ref` and `allOf` resolved (one level at a time, as the walk needs them). */
export function resolve(document: OpenApiDocument, schema: OpenApiSchema | undefined): OpenApiSchema {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(document, document.components?.schemas?.[name]);
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((part) => resolve(document, part));
    return parts.reduce<OpenApiSchema>(
      (merged, part) => ({
        ...merged,
        ...part,
        properties: { ...merged.properties, ...part.properties },
        required: [...(merged.required ?? []), ...(part.required ?? [])],
      }),
      { ...schema, allOf: undefined },
    );
  }
  if (schema.oneOf?.length || schema.anyOf?.length) {
    return resolve(document, (schema.oneOf ?? schema.anyOf ?? [])[0]);
  }
  return schema;
}

/** The JSON schema of an operation's body, when it takes JSON. */
export function jsonBodySchema(
  document: OpenApiDocument,
  operation: OpenApiOperation,
): OpenApiSchema | undefined {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  return schema ? resolve(document, schema) : undefined;
}
