/**
 * The parts of openapi.yaml written for readers rather than derived from routes: the title and
 * introduction, the example server, the tags in their order, and the security scheme. Route
 * summaries and descriptions sit in each route's contract; schema descriptions in the schemas.
 */
export const DOCUMENT = {
  info: {
    title: 'MAML few-shot adaptation service',
    version: '0.1.0',
    description: [
      "Meta-trained weights θ, adapted per session with MAML's inner loop. Every error is",
      '`{ "error": { "code", "message" } }`. Requests carry `Authorization: Bearer <key>`;',
      "a key's role is `client` (adapt/predict on its own sessions, read models) or `admin`",
      '(also training jobs and model management).',
      '',
      'Generated from the route schemas (src/api/routes/<resource>/schemas.ts) by `npm run generate:openapi`;',
      'limits that configuration can change show their default values.',
      '',
    ].join('\n'),
  },
  servers: [{ url: 'http://localhost:3000' }],
  security: [{ bearer: [] }],
  tags: [{ name: 'operations' }, { name: 'sessions' }, { name: 'models' }, { name: 'training' }, { name: 'datasets' }, { name: 'keys' }],
  securitySchemes: {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      description: 'An API key made by `POST /keys`, `maml keys create`, or (for the first admin key) `npm run --silent keys:create -- --role admin|client`',
    },
  },
};
