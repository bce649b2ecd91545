/** The contract of `GET /capabilities`: every kind from the one list of each (src/core/kinds.ts). */
import { BACKENDS, META_ALGORITHMS, NETWORK_KINDS } from '../../../core/kinds.ts';
import { defineRoute, json } from '../../contract/route.ts';
import { component, StringEnum, Type } from '../../contract/schema.ts';

export const NetworkCapabilities = component(
  'NetworkCapabilities',
  Type.Object({
    output: StringEnum(['softmax', 'regression'], { description: 'What a prediction is: class probabilities or raw regression outputs' }),
    input: StringEnum(['image', 'rows'], { description: 'Images (the image routes, the console) or feature rows' }),
    ways: StringEnum(['up-to-outputs', 'as-trained'], { description: 'Classes per session: 2 up to the output units, or the trained nWay' }),
    resettableHead: Type.Boolean({
      description: 'Its head is linear over body features and may start each task at zero (architecture.headInit "zero"), widened to maxWays',
    }),
    stagedPipeline: Type.Boolean({ description: 'A staged pipeline (pre-training, frozen batch norm, prototype head) can train it' }),
  }),
);

export const Capabilities = component(
  'Capabilities',
  Type.Object({
    networks: Type.Array(Type.Object({ kind: StringEnum(NETWORK_KINDS), ...NetworkCapabilities.properties })),
    algorithms: Type.Array(
      Type.Object({
        name: StringEnum(META_ALGORITHMS),
        learnedRates: StringEnum(['none', 'perStep', 'perParameter'], {
          description: 'Shape of the learned inner rates: none, [steps] per parameter (MAML++), or shaped like each parameter (Meta-SGD)',
        }),
        secondOrder: Type.Boolean(),
        stage: Type.Boolean({ description: "A staged pipeline's meta stage may use it" }),
        summary: Type.String(),
      }),
    ),
    backends: Type.Array(StringEnum(BACKENDS), { description: "TFJS_BACKEND's values" }),
  }),
);

export const capabilitiesRoute = defineRoute({
  method: 'GET',
  url: '/capabilities',
  auth: 'public',
  tags: ['models'],
  summary: 'Every kind of network, meta-learning algorithm and backend the service knows, with what each can do',
  description:
    "One list per kind (src/core/kinds.ts) feeds this answer, the training configuration's checks, the CLI's choices and the console's forms. A network's `output` is what /predict returns (class probabilities for `softmax`), its `ways` whether a session may have 2 up to its output units or exactly the classes it was trained for; an algorithm's `learnedRates` is the shape of its learned inner rates (recorded in model files), `stage` whether a staged pipeline's meta stage may use it.",
  responses: { 200: json('The kinds', Capabilities) },
});
