import { describe, expect, it } from 'vitest';
import { ENGINE_SPACE_MARGIN, engineSpaceProblem, UNPACK_FACTOR } from './update-space.js';

const MB = 1024 ** 2;
const storage = (freeBytes: number) => ({ dir: '/var/lib/docker', freeBytes });

describe("room on the engine's storage for an update's images", () => {
  it('lets a pull through when the download, unpacked, and the margin fit', () => {
    const missing = [{ image: 'medianest/backend:v2', downloadBytes: 100 * MB }];
    const exactly = 100 * MB * UNPACK_FACTOR + ENGINE_SPACE_MARGIN;
    expect(engineSpaceProblem(missing, storage(exactly))).toBeUndefined();
    const refusal = engineSpaceProblem(missing, storage(exactly - 1));
    expect(refusal).toContain("free on Docker's storage (/var/lib/docker)");
    expect(refusal).toContain('medianest/backend:v2');
    expect(refusal).toContain('100 MB to download');
    expect(refusal).toContain('nothing was changed');
  });

  it('adds up every missing image and says which sizes the registry did not state', () => {
    const missing = [
      { image: 'b:v2', downloadBytes: 200 * MB },
      { image: 'f:v2', downloadBytes: 100 * MB },
      { image: 'local:x', downloadBytes: undefined },
    ];
    const refusal = engineSpaceProblem(missing, storage(900 * MB + ENGINE_SPACE_MARGIN - 1));
    expect(refusal).toContain('b:v2, f:v2, local:x');
    expect(refusal).toContain('300 MB to download');
    expect(refusal).toContain('did not state the size of 1 of them');
  });

  it('says nothing when nothing is pulled or the storage cannot be read (a remote engine)', () => {
    expect(engineSpaceProblem([], storage(0))).toBeUndefined();
    expect(engineSpaceProblem([{ image: 'b:v2', downloadBytes: 10 ** 12 }], undefined)).toBe(
      undefined,
    );
  });
});
