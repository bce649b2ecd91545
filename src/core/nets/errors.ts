/** Typed errors of the networks. */

export class MissingParameterError extends Error {
  constructor(
    readonly parameter: string,
    readonly available: readonly string[],
  ) {
    super(`parameter '${parameter}' is missing (have: ${available.join(', ')})`);
    this.name = 'MissingParameterError';
  }
}

export class InvalidNetworkSpecError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`invalid network spec: ${field} = ${JSON.stringify(value)}: ${reason}`);
    this.name = 'InvalidNetworkSpecError';
  }
}
