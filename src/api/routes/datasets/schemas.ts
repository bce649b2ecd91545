/**
 * The contracts of the dataset routes (admin): upload (multipart: the zip as the `archive` file
 * part and its settings as text fields, described and checked here), list, inspect, delete.
 */
import { BadRequest, errorResponse, Forbidden, NotFound, Unauthorized, Unavailable } from '../../contract/errors.ts';
import { multipartBody } from '../../contract/multipart.ts';
import { defineRoute, empty, json } from '../../contract/route.ts';
import { Binary, component, DateTime, Defaulted, Nullable, StringEnum, Type, Uuid, UuidParams, PageLimit } from '../../contract/schema.ts';

export const Dataset = component(
  'Dataset',
  Type.Object(
    {
      id: Uuid(),
      name: Type.String(),
      status: StringEnum(['processing', 'ready', 'failed'], {
        description: 'processing until its images are decoded and stored (then ready), or failed (error says why)',
      }),
      error: Nullable(
        Type.Object({
          code: Type.String(),
          message: Type.String(),
          details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the values that decided it, e.g. entry' })),
        }),
        { description: 'Why ingestion failed (status failed)' },
      ),
      layout: Type.Unsafe<'folders' | 'omniglot' | null>({ type: ['string', 'null'], enum: ['folders', 'omniglot', null] }),
      classes: Nullable(Type.Integer()),
      images: Nullable(Type.Integer()),
      imagesPerClass: Nullable(Type.Object({ min: Type.Optional(Type.Integer()), max: Type.Optional(Type.Integer()) })),
      preprocessing: Type.Object(
        {
          size: Type.Optional(Type.Integer()),
          channels: Type.Optional(Type.Integer()),
          invert: Type.Optional(Type.Boolean()),
          resize: Type.Optional(Type.String({ description: 'always area' })),
          normalisation: Type.Optional(Type.Object({ mean: Type.Optional(Type.Number()), std: Type.Optional(Type.Number()) })),
        },
        { description: 'How every image was turned into network input (as for support images)' },
      ),
      artifact: Nullable(Type.Object({ sha256: Type.Optional(Type.String()), bytes: Type.Optional(Type.Integer()) }), {
        description: 'The preprocessed images, one file in the artifact store',
      }),
      createdAt: DateTime(),
    },
    { description: 'An uploaded dataset; layout, classes, images, imagesPerClass and artifact are null until its status is ready' },
  ),
);

/** The upload's parts; defaults are Omniglot's preprocessing (28×28 gray, inverted). */
export const datasetUpload = multipartBody(
  Type.Object({
    archive: Binary({ description: 'The zip (at most DATASET_MAX_ARCHIVE_BYTES)' }),
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$', description: '1–100 letters, digits, ".", "_" or "-", starting with a letter or digit' }),
    size: Defaulted(Type.Integer({ minimum: 8, maximum: 128, default: 28, description: 'Images are resized to size×size' })),
    channels: Defaulted(Type.Unsafe<1 | 3>({ type: 'integer', enum: [1, 3], default: 1, description: '1 gray, 3 RGB' })),
    invert: Defaulted(
      Type.Boolean({ default: true, description: 'x → 1 − x after scaling to [0, 1] (dark ink on white paper becomes high, as for Omniglot)' }),
    ),
  }),
);

export const createDatasetRoute = defineRoute({
  method: 'POST',
  url: '/datasets',
  auth: 'admin',
  tags: ['datasets'],
  summary: 'Upload an image dataset as a zip (admin)',
  description: [
    'One folder per class (`<class>/<image>`), or the Omniglot layout',
    '(`<alphabet>/<character>/<image>`, optionally under `images_background/` or',
    '`images_evaluation/`); folders every file shares are unwrapped, `__MACOSX/` and dot files',
    'ignored. Images are PNG, JPEG or WebP; at least 5 classes of at least 2 images. What the',
    "zip's central directory decides (safety, limits, layout) is answered at once (400, 413,",
    '422); then the upload is accepted (202, status `processing`) and ingested in the',
    'background: every image is inflated, checked and preprocessed as the service preprocesses',
    'support images, and stored. Poll `GET /datasets/{id}` (the Location header) until its',
    "status is `ready` (its id is then usable as a training job's `dataset`) or `failed`",
    '(`error` says why: NOT_AN_IMAGE, INVALID_IMAGE, IMAGE_TOO_LARGE, INVALID_ARCHIVE for an',
    'entry that does not inflate to its declared size, INGESTION_INTERRUPTED when the API',
    'process stopped, INGESTION_FAILED).',
    '',
  ].join('\n'),
  multipart: datasetUpload,
  responses: {
    202: json('Accepted; being ingested (status processing)', Dataset, {
      Location: { description: 'GET it for the status: /datasets/{id}', schema: { type: 'string' } },
    }),
    400: errorResponse(
      'Missing or invalid fields (VALIDATION_ERROR), an unreadable multipart body (INVALID_MULTIPART), a corrupt archive (INVALID_ARCHIVE), or an unsafe entry — absolute or `..` path, symbolic link, device, encrypted (UNSAFE_ARCHIVE_ENTRY; details.entry names it)',
    ),
    401: Unauthorized,
    403: Forbidden,
    413: errorResponse(
      'Over a limit (ARCHIVE_TOO_LARGE, ARCHIVE_TOO_MANY_ENTRIES, ARCHIVE_UNCOMPRESSED_TOO_LARGE, ARCHIVE_COMPRESSION_RATIO, DATASET_TOO_LARGE); details carry the limit and the actual value',
    ),
    415: errorResponse('Not multipart/form-data'),
    422: errorResponse(
      "Not a usable dataset (INVALID_LAYOUT, NOT_AN_IMAGE for a file whose name is not an image's, TOO_FEW_CLASSES, TOO_FEW_IMAGES); details name the entry or class",
    ),
    503: errorResponse('A dependency is down, or too many uploads already wait to be ingested (OVERLOADED, Retry-After)'),
  },
});

export const listDatasetsRoute = defineRoute({
  method: 'GET',
  url: '/datasets',
  auth: 'admin',
  tags: ['datasets'],
  summary: 'Uploaded datasets, newest first (admin)',
  querystring: Type.Object({ limit: PageLimit }, { additionalProperties: false }),
  responses: { 200: json('Datasets', Type.Object({ datasets: Type.Array(Dataset) })), 400: BadRequest, 401: Unauthorized, 403: Forbidden, 503: Unavailable },
});

export const getDatasetRoute = defineRoute({
  method: 'GET',
  url: '/datasets/:id',
  auth: 'admin',
  tags: ['datasets'],
  summary: 'One dataset (admin)',
  params: UuidParams,
  responses: { 200: json('The dataset', Dataset), 400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 503: Unavailable },
});

export const deleteDatasetRoute = defineRoute({
  method: 'DELETE',
  url: '/datasets/:id',
  auth: 'admin',
  tags: ['datasets'],
  summary: 'Delete a dataset and its stored images (admin)',
  params: UuidParams,
  responses: {
    204: empty('Deleted'),
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: errorResponse('A queued or running training job uses it (DATASET_IN_USE; details.jobIds), or it is still being ingested (DATASET_NOT_READY)'),
    503: Unavailable,
  },
});
