/**
 * How fastify's ajv reads the contract's schemas, for JSON bodies, params, queries and multipart
 * text fields alike: strings coerced to the declared types (`?limit=5`, a `steps` form field),
 * defaults filled in (a `Defaulted` field is always set once validated), unknown properties
 * refused where a schema says `additionalProperties: false` (never silently removed), first error only;
 * `discriminator` picks a oneOf branch by a property (a training stage's `kind`), whose errors are then reported.
 */
export const AJV_OPTIONS = {
  customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false, discriminator: true },
} as const;
