const GB = 1024 ** 3;

export type DiskTone = 'ok' | 'warn' | 'fail';

/**
 * How a disk's free space reads, by what is left rather than the share used: 90 % used of a 4 TB
 * disk is 400 GB free and fine, 70 % of a 16 GB card is not. A backup needs about the data's size
 * again, and PostgreSQL stops writing on a full disk.
 */
export function diskTone(freeBytes: number, totalBytes: number): { tone: DiskTone; words: string } {
  const share = totalBytes > 0 ? freeBytes / totalBytes : 0;
  if (freeBytes < 2 * GB || share < 0.02)
    return { tone: 'fail', words: 'Almost full: free some space now' };
  if (freeBytes < 10 * GB || (share < 0.1 && freeBytes < 50 * GB))
    return { tone: 'warn', words: 'Getting full: free some space soon' };
  return { tone: 'ok', words: 'Plenty of space' };
}
