import { describe, expect, it } from 'vitest';
import { ApiError } from '@contract';
import { builtImagesOf, checkoutFindingsOf, withBuiltImages } from './image-build';

describe('a build from a checkout, as the image step reads it', () => {
  it("reads the images from the build's last step, and nothing from any other", () => {
    expect(builtImagesOf('Built backend=medianest/backend:local-abc frontend=r:5000/f:1')).toEqual({
      backend: 'medianest/backend:local-abc',
      frontend: 'r:5000/f:1',
    });
    expect(builtImagesOf('backend (1/2): built medianest/backend:local-abc')).toBeUndefined();
    expect(builtImagesOf('')).toBeUndefined();
  });

  it('puts built images into the list as lines, over the same services, from JSON too', () => {
    expect(withBuiltImages('{"backend": "old:1", "redis": "redis:7"}', { backend: 'new:2' })).toBe(
      'backend: new:2\nredis: redis:7',
    );
    expect(withBuiltImages('', { frontend: 'f:1' })).toBe('frontend: f:1');
  });

  it('takes findings only from a refusal that carries them', () => {
    const finding = {
      code: 'frontend-public-missing',
      file: 'Dockerfile',
      line: 3,
      problem: 'p',
      action: 'a',
    };
    const refused = new ApiError('validation_failed', 'm', 422, { findings: [finding] });
    expect(checkoutFindingsOf(refused)).toEqual([finding]);
    expect(checkoutFindingsOf(new ApiError('validation_failed', 'm', 422, {}))).toBeUndefined();
    expect(checkoutFindingsOf(new Error('m'))).toBeUndefined();
  });
});
