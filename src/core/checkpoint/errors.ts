/** Typed errors of the safetensors codec and the checkpoint metadata; each carries the actual values. */

export class SafetensorsError extends Error {}

export class TruncatedFileError extends SafetensorsError {
  constructor(readonly length: number) {
    super(`a safetensors file has at least 8 bytes (the header length); got ${length}`);
  }
}

export class HeaderTooLargeError extends SafetensorsError {
  constructor(
    readonly declared: number | bigint,
    readonly limit: number,
  ) {
    super(`header length ${declared} exceeds the limit of ${limit} bytes`);
  }
}

export class HeaderOutOfBoundsError extends SafetensorsError {
  constructor(
    readonly declared: number,
    readonly available: number,
  ) {
    super(`header length ${declared} runs past the end of the file (${available} bytes after the length field)`);
  }
}

export class InvalidHeaderError extends SafetensorsError {
  constructor(
    readonly reason: string,
    readonly actual?: unknown,
  ) {
    super(`invalid safetensors header: ${reason}${actual === undefined ? '' : ` (got ${JSON.stringify(actual)})`}`);
  }
}

export class InvalidTensorEntryError extends SafetensorsError {
  constructor(
    readonly tensor: string,
    readonly field: string,
    readonly actual: unknown,
  ) {
    super(`tensor ${JSON.stringify(tensor)}: invalid ${field} ${JSON.stringify(actual)}`);
  }
}

export class InvalidTensorNameError extends SafetensorsError {
  constructor(readonly tensor: string) {
    super(`invalid tensor name ${JSON.stringify(tensor)}`);
  }
}

export class UnsupportedDtypeError extends SafetensorsError {
  constructor(
    readonly tensor: string,
    readonly dtype: string,
  ) {
    super(`tensor ${JSON.stringify(tensor)} has dtype ${JSON.stringify(dtype)}; supported: F32, I32 (float32, int32)`);
  }
}

export class TensorSizeMismatchError extends SafetensorsError {
  constructor(
    readonly tensor: string,
    readonly shape: readonly number[],
    readonly expectedBytes: number,
    readonly actualBytes: number,
  ) {
    super(`tensor ${JSON.stringify(tensor)} of shape [${shape.join(', ')}] needs ${expectedBytes} bytes; has ${actualBytes}`);
  }
}

/** Tensors must tile the data buffer in offset order: no gap, no overlap. */
export class TensorOffsetError extends SafetensorsError {
  constructor(
    readonly tensor: string,
    readonly expectedBegin: number,
    readonly actualBegin: number,
  ) {
    super(
      `tensor ${JSON.stringify(tensor)} starts at byte ${actualBegin}; expected ${expectedBegin} ` +
        `(${actualBegin < expectedBegin ? 'overlaps the previous tensor' : 'leaves a gap'})`,
    );
  }
}

export class DataLengthError extends SafetensorsError {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`the tensors cover ${expected} data bytes; the file has ${actual}`);
  }
}

export class InvalidMetadataError extends SafetensorsError {
  constructor(
    readonly key: string,
    readonly actual: unknown,
  ) {
    super(`__metadata__ must map strings to strings; ${JSON.stringify(key)} is ${JSON.stringify(actual)}`);
  }
}

export class MissingCheckpointMetadataError extends Error {
  constructor(
    readonly key: string,
    readonly presentKeys: readonly string[],
  ) {
    super(`no ${JSON.stringify(key)} entry in __metadata__ (keys: ${presentKeys.join(', ') || 'none'})`);
  }
}

export class InvalidCheckpointMetadataError extends Error {
  constructor(
    readonly field: string,
    readonly actual: unknown,
    readonly expected: string,
  ) {
    super(`checkpoint metadata: ${field} is ${JSON.stringify(actual)}, expected ${expected}`);
  }
}
