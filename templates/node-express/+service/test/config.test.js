import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PORT, readConfig } from '../src/config.js';

test('PORT defaults to 8080, as on Cloud Run', () => {
  assert.equal(DEFAULT_PORT, 8080);
  assert.equal(readConfig({}).port, 8080);
  assert.equal(readConfig({ PORT: '' }).port, 8080);
});

test('PORT is honoured', () => {
  assert.equal(readConfig({ PORT: '9090' }).port, 9090);
});

test('a PORT that is not a port number is refused', () => {
  for (const PORT of ['http', '80.5', '-1', '65536', ' 80']) {
    assert.throws(() => readConfig({ PORT }), /PORT must be a TCP port number/, PORT);
  }
});

test('Cloud Run values are read when present', () => {
  const config = readConfig({
    K_SERVICE: 'api',
    K_REVISION: 'api-00001-abc',
    K_CONFIGURATION: 'api',
    GOOGLE_CLOUD_PROJECT: 'demo-project',
  });
  assert.deepEqual(config, {
    port: 8080,
    maxBodyBytes: 10 * 1024 * 1024,
    logFormat: 'json',
    projectId: 'demo-project',
    service: 'api',
    revision: 'api-00001-abc',
    configuration: 'api',
  });
  assert.equal(readConfig({}).service, undefined);
});

test('MAX_BODY_BYTES sets the request body limit; a value that is not a size is refused', () => {
  assert.equal(readConfig({ MAX_BODY_BYTES: '1048576' }).maxBodyBytes, 1048576);
  assert.throws(() => readConfig({ MAX_BODY_BYTES: '10mb' }), /MAX_BODY_BYTES must be a positive number of bytes/);
});

test('LOG_FORMAT is json or pretty; another value is refused', () => {
  assert.equal(readConfig({ LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
  assert.throws(() => readConfig({ LOG_FORMAT: 'text' }), /LOG_FORMAT must be json or pretty, got "text"/);
});
