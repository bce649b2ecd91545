/**
 * Generated from openapi.yaml by openapi-typescript (`npm run generate:client`). Do not edit:
 * change openapi.yaml and regenerate (a test fails while they disagree).
 */

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness (the process is up and accepting requests); the load balancer's check
         * @description 200 while this replica accepts requests; 503 SHUTTING_DOWN once it has received SIGTERM, so a load balancer stops sending it traffic while in-flight requests finish. It stays 200 while PostgreSQL is down (sessions keep working on models already loaded); /readyz reports the dependencies.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Up */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness (PostgreSQL and Redis reachable) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
                /** @description A dependency is down (see `checks`) */
                503: {
                    headers: {
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Prometheus text exposition format */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/adapt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Adapt a model to a support set; returns a session for /predict
         * @description Runs MAML's inner loop from the model's meta-trained weights on the support images and caches
         *     the adapted weights θ′ for the session in Redis. Labels are any text (no control characters);
         *     distinct labels, in order of first appearance, become the classes. Their number must fit the
         *     model (its n-way, or 2 up to its output count for a zero-initialised head): otherwise 422.
         *     One class only is refused (422); unequal shots per class are supported.
         *     Images (PNG, JPEG or WebP, any size within the limits) are preprocessed exactly as in training.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "multipart/form-data": {
                        /** @description JSON array of strings, one per image, in the order of the image parts */
                        labels: string;
                        /** @description PNG, JPEG or WebP files, one part each */
                        images: Blob[];
                        /** @description model id or name (default: the default model) */
                        model?: string;
                        /** @description inner steps (default: the model's test-time steps; at most MAX_ADAPT_STEPS) */
                        steps?: number;
                        /** @description session lifetime (default SESSION_TTL_SECONDS; at most SESSION_MAX_TTL_SECONDS) */
                        ttlSeconds?: number;
                        /** @description adapt only the head (ANIL-style; default: the model's recorded setting) */
                        headOnly?: boolean;
                    };
                    "application/json": {
                        support: {
                            label: string;
                            /** @description base64 image bytes (standard or URL-safe alphabet; a data: URL prefix is allowed) */
                            image: string;
                        }[];
                        /** @description model id or name (default: the default model) */
                        model?: string;
                        /** @description inner steps (default: the model's test-time steps; at most MAX_ADAPT_STEPS) */
                        steps?: number;
                        /** @description session lifetime (default SESSION_TTL_SECONDS; at most SESSION_MAX_TTL_SECONDS) */
                        ttlSeconds?: number;
                        /** @description adapt only the head (ANIL-style; default: the model's recorded setting) */
                        headOnly?: boolean;
                    };
                };
            };
            responses: {
                /** @description Session created */
                201: {
                    headers: {
                        /** @description Where the server time went, in ms (W3C Server-Timing), phases in request order: accept (routing, API key, rate limit), upload (receive and parse the body), resolve (model lookup), redis (session save or load), queue (wait for an inference thread), dispatch (hand-over to the thread and back), decode (images), adapt or predict (the computation), encode (θ′ for the store; for /predict the answer), total. The phases sum to at most total. */
                        "Server-Timing"?: string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            sessionId: string;
                            /** Format: uuid */
                            modelId: string;
                            labels: string[];
                            /** Format: date-time */
                            expiresAt: string;
                            steps?: number;
                            /** @description whether only the head was adapted */
                            headOnly?: boolean;
                            support: {
                                loss: number;
                                accuracy: number;
                            };
                            /** @description milliseconds waiting for a free inference thread, decoding the images, adapting */
                            timings: {
                                queueMs: number;
                                decodeMs: number;
                                adaptMs: number;
                            };
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                404: components["responses"]["NotFound"];
                413: components["responses"]["TooLarge"];
                415: components["responses"]["UnsupportedImage"];
                422: components["responses"]["Unprocessable"];
                503: components["responses"]["Unavailable"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Classify images against a session's adapted weights
         * @description Each image is classified on its own: the network's batch norm layers normalise it with the statistics of the session's support set under the adapted weights (fixed at /adapt), so an image gets the same scores alone or in a batch, whatever else the request holds. (The MAML paper evaluates transductively, normalising a task's queries together; `npm run bench:accuracy` reports both.)
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "multipart/form-data": {
                        sessionId: string;
                        /** @description PNG, JPEG or WebP files, one part each */
                        images: Blob[];
                    };
                    "application/json": {
                        sessionId: string;
                        images: string[];
                    };
                };
            };
            responses: {
                /** @description One prediction per image, in input order; scores sum to 1 */
                200: {
                    headers: {
                        /** @description Where the server time went, in ms (W3C Server-Timing), phases in request order: accept (routing, API key, rate limit), upload (receive and parse the body), resolve (model lookup), redis (session save or load), queue (wait for an inference thread), dispatch (hand-over to the thread and back), decode (images), adapt or predict (the computation), encode (θ′ for the store; for /predict the answer), total. The phases sum to at most total. */
                        "Server-Timing"?: string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            predictions: {
                                label: string;
                                scores: {
                                    [key: string]: number;
                                };
                            }[];
                            timings: {
                                queueMs: number;
                                decodeMs: number;
                                predictMs: number;
                            };
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                404: components["responses"]["NotFound"];
                /** @description The session's stored weights cannot be read (SESSION_UNREADABLE); adapt a new session */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                413: components["responses"]["TooLarge"];
                415: components["responses"]["UnsupportedImage"];
                503: components["responses"]["Unavailable"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** A session of this key (another key's session is 404); extends its expiry */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The session */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            sessionId: string;
                            modelId: string;
                            labels: string[];
                            /** Format: date-time */
                            expiresAt: string;
                            /** Format: date-time */
                            createdAt: string;
                            steps?: number;
                            support?: {
                                loss?: number;
                                accuracy?: number;
                                /** @description images per label */
                                shots?: {
                                    [key: string]: number;
                                };
                            };
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        post?: never;
        /** Delete a session of this key */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/capabilities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every kind of network, meta-learning algorithm and backend the service knows, with what each can do
         * @description One list per kind (src/core/kinds.ts) feeds this answer, the training configuration's checks, the CLI's choices and the console's forms. A network's `output` is what /predict returns (class probabilities for `softmax`), its `ways` whether a session may have 2 up to its output units or exactly the classes it was trained for; an algorithm's `learnedRates` is the shape of its learned inner rates (recorded in model files), `stage` whether a staged pipeline's meta stage may use it.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The kinds */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Capabilities"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The model registry (default model first, then newest) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    status?: components["schemas"]["ModelStatus"];
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Models */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            models: components["schemas"]["Model"][];
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        /**
         * Import a safetensors checkpoint as a new model version (admin)
         * @description The file's `__metadata__.maml` names the network; every parameter it needs must be present with its shape, float32 and finite.
         */
        post: {
            parameters: {
                query: {
                    name: string;
                    promote?: boolean;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/octet-stream": Blob;
                    "application/vnd.safetensors": Blob;
                };
            };
            responses: {
                /** @description Registered */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Model"];
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                413: components["responses"]["TooLarge"];
                /** @description Not a safetensors body (UNSUPPORTED_MEDIA_TYPE) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not a valid checkpoint for its own metadata (INVALID_CHECKPOINT) */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                503: components["responses"]["Unavailable"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One model (by id, or by name for its latest version) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The model */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Model"];
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{id}/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make this model the default for /adapt (admin) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The promoted model */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Model"];
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                404: components["responses"]["NotFound"];
                /** @description The model is not ready (MODEL_NOT_READY) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                503: components["responses"]["Unavailable"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{id}/weights": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the model's safetensors file (tensor names and layouts in the README) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The safetensors file; X-Content-Sha256 is its digest */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/octet-stream": Blob;
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/training-jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Training jobs, newest first (admin) */
        get: {
            parameters: {
                query?: {
                    status?: components["schemas"]["JobStatus"];
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Jobs */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobs: components["schemas"]["TrainingJob"][];
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        /**
         * Submit a meta-training job (admin)
         * @description Fields left out take the MAML paper's defaults for the dataset; the response shows the resolved configuration.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TrainingConfigInput"];
                };
            };
            responses: {
                /** @description Queued */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            jobId: string;
                            /** @constant */
                            status: "queued";
                            /** @description The resolved configuration */
                            config: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                /** @description The uploaded dataset it names is still being ingested or failed (DATASET_NOT_READY) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                503: components["responses"]["Unavailable"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/training-jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** One training job with its progress (admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The job */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TrainingJob"];
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        post?: never;
        /**
         * Cancel a queued or running job (admin)
         * @description A queued job is cancelled at once (200). A running job stops within one iteration and keeps its last checkpoint (202, cancelRequested true).
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Cancelled */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TrainingJob"];
                    };
                };
                /** @description Cancellation requested from the running worker */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TrainingJob"];
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                404: components["responses"]["NotFound"];
                /** @description The job has already finished (code JOB_FINISHED) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                503: components["responses"]["Unavailable"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/training-jobs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live progress of a job as Server-Sent Events (admin)
         * @description The stream opens with the job as stored (`event: job`, a TrainingJob), then carries every
         *     event the worker publishes (`event: progress`, `event: validation`, `event: status`,
         *     `event: note`, each a TrainingEvent as `data`), a comment line (`: heartbeat`) every SSE_HEARTBEAT_MS (15 s),
         *     and ends after a terminal status (completed, failed, cancelled), at once if the job has
         *     already finished. Events are not replayed: a client that reconnects starts from the job again.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The event stream, e.g. `event: progress` / `data: {"type":"progress","iteration":120,...}` */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/training-jobs/{id}/curve.svg": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The job's learning curves as an SVG image (admin)
         * @description Training loss and query accuracy per iteration, validation accuracy with its 95 % CI band; at most 1000 points per series (longer runs are averaged in buckets). A job with no metrics yet gets a "no data yet" chart.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A self-contained SVG (no scripts, fonts or links) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "image/svg+xml": string;
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Uploaded datasets, newest first (admin) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Datasets */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            datasets: components["schemas"]["Dataset"][];
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        /**
         * Upload an image dataset as a zip (admin)
         * @description One folder per class (`<class>/<image>`), or the Omniglot layout
         *     (`<alphabet>/<character>/<image>`, optionally under `images_background/` or
         *     `images_evaluation/`); folders every file shares are unwrapped, `__MACOSX/` and dot files
         *     ignored. Images are PNG, JPEG or WebP; at least 5 classes of at least 2 images. What the
         *     zip's central directory decides (safety, limits, layout) is answered at once (400, 413,
         *     422); then the upload is accepted (202, status `processing`) and ingested in the
         *     background: every image is inflated, checked and preprocessed as the service preprocesses
         *     support images, and stored. Poll `GET /datasets/{id}` (the Location header) until its
         *     status is `ready` (its id is then usable as a training job's `dataset`) or `failed`
         *     (`error` says why: NOT_AN_IMAGE, INVALID_IMAGE, IMAGE_TOO_LARGE, INVALID_ARCHIVE for an
         *     entry that does not inflate to its declared size, INGESTION_INTERRUPTED when the API
         *     process stopped, INGESTION_FAILED).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "multipart/form-data": {
                        /**
                         * Format: binary
                         * @description The zip (at most DATASET_MAX_ARCHIVE_BYTES)
                         */
                        archive: Blob;
                        /** @description 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit */
                        name: string;
                        /**
                         * @description Images are resized to size×size
                         * @default 28
                         */
                        size?: number;
                        /**
                         * @description 1 gray, 3 RGB
                         * @default 1
                         * @enum {integer}
                         */
                        channels?: 1 | 3;
                        /**
                         * @description x → 1 − x after scaling to [0, 1] (dark ink on white paper becomes high, as for Omniglot)
                         * @default true
                         */
                        invert?: boolean;
                    };
                };
            };
            responses: {
                /** @description Accepted; being ingested (status processing) */
                202: {
                    headers: {
                        /** @description GET it for the status: /datasets/{id} */
                        Location?: string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Dataset"];
                    };
                };
                /** @description Missing or invalid fields (VALIDATION_ERROR), an unreadable multipart body (INVALID_MULTIPART), a corrupt archive (INVALID_ARCHIVE), or an unsafe entry — absolute or `..` path, symbolic link, device, encrypted (UNSAFE_ARCHIVE_ENTRY; details.entry names it) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                /** @description Over a limit (ARCHIVE_TOO_LARGE, ARCHIVE_TOO_MANY_ENTRIES, ARCHIVE_UNCOMPRESSED_TOO_LARGE, ARCHIVE_COMPRESSION_RATIO, DATASET_TOO_LARGE); details carry the limit and the actual value */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not multipart/form-data */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not a usable dataset (INVALID_LAYOUT, NOT_AN_IMAGE for a file whose name is not an image's, TOO_FEW_CLASSES, TOO_FEW_IMAGES); details name the entry or class */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description A dependency is down, or too many uploads already wait to be ingested (OVERLOADED, Retry-After) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** One dataset (admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The dataset */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Dataset"];
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        post?: never;
        /** Delete a dataset and its stored images (admin) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                404: components["responses"]["NotFound"];
                /** @description A queued or running training job uses it (DATASET_IN_USE; details.jobIds), or it is still being ingested (DATASET_NOT_READY) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                503: components["responses"]["Unavailable"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** API keys, newest first, without secrets (admin) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    includeRevoked?: boolean;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Keys */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keys: components["schemas"]["ApiKey"][];
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                503: components["responses"]["Unavailable"];
            };
        };
        put?: never;
        /**
         * Create an API key (admin); its secret is in this response only
         * @description Only the key's sha256 is stored. `prefix` (the first 10 characters) identifies it in lists and logs.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        role: components["schemas"]["KeyRole"];
                        name?: string;
                    };
                };
            };
            responses: {
                /** @description Created; `key` is the secret (`mk_` and 43 base64url characters) */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            id: string;
                            name: string | null;
                            role: components["schemas"]["KeyRole"];
                            /** @description The key's first 10 characters */
                            prefix: string;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            revokedAt: string | null;
                            key: string;
                        };
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                503: components["responses"]["Unavailable"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API key (admin)
         * @description Idempotent (a revoked key keeps its first revocation time). The key stops working at once on the API process that revoked it, and within a minute on the others (they cache known keys).
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The revoked key */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApiKey"];
                    };
                };
                400: components["responses"]["BadRequest"];
                401: components["responses"]["Unauthorized"];
                403: components["responses"]["Forbidden"];
                404: components["responses"]["NotFound"];
                503: components["responses"]["Unavailable"];
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ApiKey: {
            /** Format: uuid */
            id: string;
            name: string | null;
            role: components["schemas"]["KeyRole"];
            /** @description The key's first 10 characters */
            prefix: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            revokedAt: string | null;
        };
        Capabilities: {
            networks: {
                /** @enum {string} */
                kind: "conv4" | "mlp";
                /**
                 * @description What a prediction is: class probabilities or raw regression outputs
                 * @enum {string}
                 */
                output: "softmax" | "regression";
                /**
                 * @description Images (the image routes, the console) or feature rows
                 * @enum {string}
                 */
                input: "image" | "rows";
                /**
                 * @description Classes per session: 2 up to the output units, or the trained nWay
                 * @enum {string}
                 */
                ways: "up-to-outputs" | "as-trained";
                /** @description Its head is linear over body features and may start each task at zero (architecture.headInit "zero"), widened to maxWays */
                resettableHead: boolean;
                /** @description A staged pipeline (pre-training, frozen batch norm, prototype head) can train it */
                stagedPipeline: boolean;
            }[];
            algorithms: {
                /** @enum {string} */
                name: "maml" | "fomaml" | "mamlpp" | "metasgd" | "anil" | "reptile";
                /**
                 * @description Shape of the learned inner rates: none, [steps] per parameter (MAML++), or shaped like each parameter (Meta-SGD)
                 * @enum {string}
                 */
                learnedRates: "none" | "perStep" | "perParameter";
                secondOrder: boolean;
                /** @description A staged pipeline's meta stage may use it */
                stage: boolean;
                summary: string;
            }[];
            /** @description TFJS_BACKEND's values */
            backends: ("auto" | "gpu" | "node" | "wasm" | "cpu")[];
        };
        /** @description An uploaded dataset; layout, classes, images, imagesPerClass and artifact are null until its status is ready */
        Dataset: {
            /** Format: uuid */
            id: string;
            name: string;
            /**
             * @description processing until its images are decoded and stored (then ready), or failed (error says why)
             * @enum {string}
             */
            status: "processing" | "ready" | "failed";
            /** @description Why ingestion failed (status failed) */
            error: {
                code: string;
                message: string;
                /** @description the values that decided it, e.g. entry */
                details?: {
                    [key: string]: unknown;
                };
            } | null;
            /** @enum {string|null} */
            layout: "folders" | "omniglot" | null;
            classes: number | null;
            images: number | null;
            imagesPerClass: {
                min?: number;
                max?: number;
            } | null;
            /** @description How every image was turned into network input (as for support images) */
            preprocessing: {
                size?: number;
                channels?: number;
                invert?: boolean;
                /** @description always area */
                resize?: string;
                normalisation?: {
                    mean?: number;
                    std?: number;
                };
            };
            /** @description The preprocessed images, one file in the artifact store */
            artifact: {
                sha256?: string;
                bytes?: number;
            } | null;
            /** Format: date-time */
            createdAt: string;
        };
        Error: {
            error: {
                code: string;
                message: string;
                /** @description Facts about the error (a limit and the actual value, the entry or model it names) */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        Health: {
            /** @constant */
            status: "ok";
            uptimeSeconds: number;
            /** @description TensorFlow.js backend in use */
            backend: string;
            /** @description Which replica answered: host name and process id */
            instance: string;
        };
        /** @enum {string} */
        JobStatus: "queued" | "running" | "completed" | "failed" | "cancelled";
        /**
         * @description client (adapt/predict on its own sessions, read models) or admin (everything)
         * @enum {string}
         */
        KeyRole: "client" | "admin";
        Model: {
            /** Format: uuid */
            id: string;
            name: string;
            version: number;
            /** @description Network spec (kind, variant, inputSize, channels, filters, outputs, headInit: random, zero or prototype, normalization: batch or frozen) */
            architecture: {
                [key: string]: unknown;
            };
            algorithm: string;
            /** @description Classes per task the model was trained on (1 for a prototype-headed model that serves any number) */
            nWay: number;
            /** @description The fewest and most classes a session with this model may have */
            ways: {
                min: number;
                max: number;
            };
            capabilities: components["schemas"]["NetworkCapabilities"];
            /** @description [height, width, channels] */
            inputShape: number[];
            weights: {
                sha256: string;
                bytes: number;
            };
            /** @description Evaluation at the end of training (mean and 95 % CI): `test` scores each task's queries as one batch (as the MAML paper), `testPerImage` each query alone as /predict does; `validation`, settings, iterations, training time */
            metrics: {
                [key: string]: unknown;
            };
            status: components["schemas"]["ModelStatus"];
            isDefault: boolean;
            /** Format: date-time */
            createdAt: string;
        };
        /** @enum {string} */
        ModelStatus: "training" | "ready" | "archived";
        NetworkCapabilities: {
            /**
             * @description What a prediction is: class probabilities or raw regression outputs
             * @enum {string}
             */
            output: "softmax" | "regression";
            /**
             * @description Images (the image routes, the console) or feature rows
             * @enum {string}
             */
            input: "image" | "rows";
            /**
             * @description Classes per session: 2 up to the output units, or the trained nWay
             * @enum {string}
             */
            ways: "up-to-outputs" | "as-trained";
            /** @description Its head is linear over body features and may start each task at zero (architecture.headInit "zero"), widened to maxWays */
            resettableHead: boolean;
            /** @description A staged pipeline (pre-training, frozen batch norm, prototype head) can train it */
            stagedPipeline: boolean;
        };
        Readiness: {
            /** @enum {string} */
            status: "ready" | "unavailable";
            checks: {
                /** @enum {string} */
                postgres: "up" | "down";
                /** @enum {string} */
                redis: "up" | "down";
            };
        };
        TrainingConfigInput: {
            name?: string;
            /** @description A built-in dataset, or the id of a dataset uploaded with POST /datasets */
            dataset: ("omniglot" | "sinusoid") | string;
            /**
             * @description default maml
             * @enum {string}
             */
            algorithm?: "maml" | "fomaml" | "mamlpp" | "metasgd" | "anil" | "reptile";
            /** @description default 5 (ignored for sinusoid) */
            nWay?: number;
            /** @description default 1 (omniglot), 10 (sinusoid) */
            kShot?: number;
            /** @description default 15 (omniglot), 10 points (sinusoid) */
            queryPerClass?: number;
            /** @description default 32 (5-way), 16 (20-way), 25 (sinusoid) */
            metaBatchSize?: number;
            /** @description default 1 (5-way), 5 (20-way), 1 (sinusoid) */
            innerSteps?: number;
            /** @description default 3 (5-way), 5 (20-way), 10 (sinusoid) */
            testInnerSteps?: number;
            /** @description default 0.4 (5-way), 0.1 (20-way), 0.01 (sinusoid) */
            innerLr?: number;
            /** @description default 0.001 */
            metaLr?: number;
            /** @description default 60000 (omniglot), 70000 (sinusoid) */
            iterations?: number;
            /** @description default 500 */
            evalEvery?: number;
            /** @description default 100 */
            evalTasks?: number;
            /** @description tasks of the final evaluation on the test split; default 600 */
            testTasks?: number;
            /** @description default 100 */
            checkpointEvery?: number;
            /** @description default 10 */
            gradClip?: number;
            /** @description default: drawn at random and recorded */
            seed?: number;
            /** @description rotations by 90° as extra classes; default true for omniglot */
            rotations?: boolean;
            architecture?: {
                /**
                 * @description default strided
                 * @enum {string}
                 */
                variant?: "maxpool" | "strided";
                /** @description Conv4 filters per layer (image datasets only); default 64 */
                filters?: number;
                /** @description units per hidden layer of the sinusoid MLP (sinusoid only); default 40 */
                hiddenUnits?: number;
                /** @description default 28 */
                inputSize?: number;
                /**
                 * @description default random; prototype (the head set per task from the support prototypes, Proto-MAML) with stages
                 * @enum {string}
                 */
                headInit?: "random" | "zero" | "prototype";
                /** @description output units (the most classes a session may have); above nWay only with headInit zero or prototype; default 100 for prototype */
                maxWays?: number;
                /**
                 * @description default batch; frozen (batch norm moments fixed after pre-training, so each image is scored alone exactly as in a batch) with stages
                 * @enum {string}
                 */
                normalization?: "batch" | "frozen";
            };
            /** @description A staged pipeline: supervised pre-training first, then meta-training stages, each starting from the best validated weights of the one before; the job then chooses /adapt's steps, rate and adapted layers on validation (selection). A meta stage inherits nWay, kShot, queryPerClass, metaBatchSize, innerSteps, innerLr and metaLr from the job when not given. Without stages the job is one MAML run with the fields above. */
            stages?: ({
                /** @constant */
                kind: "pretrain";
                /** @description passes over the training images (× 4 rotations with rotations); default 10 */
                epochs?: number;
                /** @description default 128 */
                batchSize?: number;
                /** @description Adam, cosine decay over the stage; default 0.001 */
                lr?: number;
                /** @description light affine augmentation (±12°, ±10 % scale, ±2 px); default true */
                augment?: boolean;
                /** @description steps between validations (prototype classifier on the validation split); default 500 */
                evalEvery?: number;
                /** @description stop after this many validations without a better score; default 4 */
                patience?: number;
            } | {
                /** @constant */
                kind: "meta";
                /**
                 * @description first or exact second order; default fomaml
                 * @enum {string}
                 */
                algorithm?: "maml" | "fomaml";
                nWay?: number;
                kShot?: number;
                queryPerClass?: number;
                metaBatchSize?: number;
                /** @description 0: an episodic prototypical-network stage */
                innerSteps?: number;
                innerLr?: number;
                /** @description Adam, cosine decay over the stage */
                metaLr?: number;
                /** @description default 1000 */
                iterations?: number;
                /** @description default 100 */
                evalEvery?: number;
            })[];
            /** @description Pipelines only; every combination is validated and the best is recorded in the model */
            selection?: {
                /** @description default [1, 3] */
                steps?: number[];
                /** @description default [0.003, 0.01, 0.03, 0.1] */
                innerLr?: number[];
                /** @description default [all, head] */
                adapt?: ("all" | "head")[];
                /** @description validation tasks of these shot counts (the job's nWay); a setting scores its mean accuracy over them; default [kShot, 5] */
                shots?: number[];
            };
        };
        /** @description One message of GET /training-jobs/{id}/events (the SSE event name is its type) */
        TrainingEvent: {
            /** @constant */
            type: "progress";
            iteration: number;
            iterations: number;
            /** @description null when not finite */
            metaLoss: number | null;
            /** @description query accuracy after adaptation; null for regression */
            accuracy: number | null;
            tasksPerSecond: number;
            etaSeconds: number | null;
            /** @description Staged jobs only (see TrainingJob.progress.stage) */
            stage?: {
                index: number;
                count: number;
                /** @enum {string} */
                kind: "pretrain" | "meta";
                /** @description pretrain: training images per second */
                examplesPerSecond?: number;
            };
        } | {
            /** @constant */
            type: "validation";
            iteration: number;
            /** @description mean query accuracy over the validation tasks; null for regression */
            accuracy: number | null;
            /** @description half-width of the 95 % confidence interval of accuracy; null for regression */
            ci95: number | null;
            /** @description mean query loss (cross-entropy, or MSE for regression) */
            loss: number;
        } | {
            /** @constant */
            type: "status";
            status: components["schemas"]["JobStatus"];
            error?: string | null;
            modelId?: string | null;
        } | {
            /** @constant */
            type: "note";
            message: string;
        };
        TrainingJob: {
            /** Format: uuid */
            jobId: string;
            name: string | null;
            status: components["schemas"]["JobStatus"];
            cancelRequested?: boolean;
            /** @description The resolved configuration */
            config: {
                [key: string]: unknown;
            };
            progress: {
                iteration?: number;
                iterations?: number;
                metaLoss?: number | null;
                accuracy?: number | null;
                validation?: {
                    accuracy?: number;
                    ci95?: number;
                    iteration?: number;
                } | null;
                /** @description meta stages: tasks per second; a pretrain stage: batches per second */
                tasksPerSecond?: number | null;
                etaSeconds?: number | null;
                /** @description Staged jobs: the running stage (index from 0, of count) and its kind; iteration and iterations count over all stages */
                stage?: {
                    index?: number;
                    count?: number;
                    /** @enum {string} */
                    kind?: "pretrain" | "meta";
                    /** @description pretrain: training images per second */
                    examplesPerSecond?: number;
                };
            };
            error: string | null;
            modelId: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            startedAt: string | null;
            /** Format: date-time */
            finishedAt: string | null;
        };
    };
    responses: {
        /** @description Invalid request (code VALIDATION_ERROR or a more specific one) */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Missing, malformed, unknown or revoked key (code UNAUTHORIZED) */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The key's role may not call this route (code FORBIDDEN) */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such resource */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A file, the request, or an image's pixel count is over a limit (FILE_TOO_LARGE, TOO_MANY_FILES, IMAGE_TOO_LARGE, FIELDS_LIMIT) */
        TooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Not a readable PNG, JPEG or WebP image (UNSUPPORTED_IMAGE), or an unsupported content type */
        UnsupportedImage: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The support set does not fit the model (CLASS_COUNT_UNSUPPORTED, MODEL_NOT_IMAGE) */
        Unprocessable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description PostgreSQL or Redis is down (POSTGRES_UNAVAILABLE, REDIS_UNAVAILABLE) or the inference threads are saturated (OVERLOADED); retry after Retry-After */
        Unavailable: {
            headers: {
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
