// Settings come from the environment, as Cloud Run provides them (nothing is read from files).

import { parseLogFormat } from './log.js';

/** Cloud Run sets PORT; 8080 is its documented default, so a local run behaves the same. */
export const DEFAULT_PORT = 8080;
/** Request bodies over this many bytes are refused with 413; Pub/Sub push messages are at most 10 MB. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ port: number, maxBodyBytes: number, logFormat: string, projectId?: string, service?: string, revision?: string, configuration?: string }}
 */
export function readConfig(env) {
  return {
    port: parsePort(env.PORT),
    maxBodyBytes: parseMaxBodyBytes(env.MAX_BODY_BYTES),
    // json for Cloud Logging; pretty for people (`npm run dev`). The logger reads it itself.
    logFormat: parseLogFormat(env.LOG_FORMAT),
    // Known up front only when set; on Cloud Run the metadata server is asked (see trace.js).
    projectId: env.GOOGLE_CLOUD_PROJECT || undefined,
    // Set by Cloud Run on every instance; absent when running locally.
    service: env.K_SERVICE || undefined,
    revision: env.K_REVISION || undefined,
    configuration: env.K_CONFIGURATION || undefined,
  };
}

/** @param {string | undefined} value */
export function parsePort(value) {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new Error(`PORT must be a TCP port number (0-65535), got "${value}"`);
  }
  return port;
}

/** @param {string | undefined} value */
export function parseMaxBodyBytes(value) {
  if (value === undefined || value === '') return DEFAULT_MAX_BODY_BYTES;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new Error(`MAX_BODY_BYTES must be a positive number of bytes, got "${value}"`);
  }
  return Number(value);
}
