import { describe, expect, it } from 'vitest';
import { targetImage, updateImages } from './update-target.js';

describe('the target of an update', () => {
  it('takes a reference as written and a bare tag in place of the current tag or digest', () => {
    expect(targetImage('medianest/backend:1.2', 'registry.local:5000/mn/backend:2')).toBe(
      'registry.local:5000/mn/backend:2',
    );
    expect(targetImage('localhost:5000/medianest/backend:1.2', '1.3')).toBe(
      'localhost:5000/medianest/backend:1.3',
    );
    expect(targetImage(`medianest/backend:1@sha256:${'a'.repeat(64)}`, '2')).toBe(
      'medianest/backend:2',
    );
    expect(() => targetImage('medianest/backend:1', 'no good')).toThrow();
  });

  it('moves the backend and its migrations together, the frontend alone', () => {
    const images = { backend: 'mn/backend:1', migrate: 'mn/backend:1', frontend: 'mn/frontend:1' };
    expect(updateImages(images, 'backend', '2')).toEqual({
      backend: 'mn/backend:2',
      migrate: 'mn/backend:2',
    });
    expect(updateImages(images, 'frontend', '2')).toEqual({ frontend: 'mn/frontend:2' });
    expect(() => updateImages(images, 'postgres', '17')).toThrow(/backend \(with migrate\)/);
  });
});
