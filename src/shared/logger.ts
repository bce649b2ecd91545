/** pino options shared by the API (fastify adds the request id to every line) and the worker. */
import { pino, type LoggerOptions } from 'pino';
import type { Config } from './config.ts';

export function loggerOptions(config: Pick<Config, 'logLevel'>, name: string): LoggerOptions {
  return {
    name,
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.apiKey'], censor: '[redacted]' },
  };
}

export function createLogger(config: Pick<Config, 'logLevel'>, name: string) {
  return pino(loggerOptions(config, name));
}
