/**
 * The appliances this desktop is paired with (issue 21 §2-3): address, name, the pinned
 * certificate fingerprint, and the device token sealed by a `SecretBox` (Electron's `safeStorage`
 * on the desktop; a key file in the home for a headless desktop server: infra/fs/key-file-box.ts).
 * The list is one JSON document (`appliances.json`, 0600); a token is never in it in the clear and
 * never leaves `token()`, which only the proxy to that appliance calls.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../app-error.js';
import type { PairedAppliance } from './pair-with.js';

/** Seals a secret for this machine and user, and opens what it sealed. */
export interface SecretBox {
  seal(plain: string): string;
  /** Throws when `sealed` was not sealed by this box (another machine, a damaged file). */
  open(sealed: string): string;
}

/** Where the list is kept: the whole document read and written at once. */
export interface ListFile {
  read(): string | undefined;
  write(text: string): void;
  /** For messages: where it is. */
  readonly path: string;
}

export interface ApplianceView {
  id: string;
  name: string;
  address: string;
  fingerprint: string;
  pairedAt: string;
}

const FORMAT = 1;

/** Each entry as the file must hold it: checked before use (the file is input like any other). */
const StoredSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(64),
  address: z.string().regex(/^https:\/\/[^/\s]+$/),
  fingerprint: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
  pairedAt: z.string(),
  deviceId: z.string().min(1),
  sealedToken: z.string().min(1),
});
type Stored = z.infer<typeof StoredSchema>;
const ListSchema = z.object({ format: z.literal(FORMAT), appliances: z.array(StoredSchema) });

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 64 || /\p{Cc}/u.test(trimmed)) {
    throw new AppError(
      'validation_failed',
      'name: 1 to 64 characters, without control characters.',
      {
        field: 'name',
      },
    );
  }
  return trimmed;
}

export class ApplianceList {
  constructor(private readonly deps: { file: ListFile; box: SecretBox; now: () => Date }) {}

  private load(): Stored[] {
    const text = this.deps.file.read();
    if (text === undefined) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AppError(
        'corrupt',
        `${this.deps.file.path} is not a list of appliances (not JSON). Move it aside and pair again.`,
      );
    }
    const format = (parsed as { format?: unknown } | null)?.format;
    if (format !== FORMAT) {
      throw new AppError(
        'unsupported_format',
        `${this.deps.file.path} is not a list of appliances this version reads (format ${String(format)}).`,
      );
    }
    const checked = ListSchema.safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new AppError(
        'corrupt',
        `${this.deps.file.path} is damaged: ${issue?.path.join('.') ?? '?'} ${issue?.message ?? ''}. Move it aside and pair again.`,
      );
    }
    return checked.data.appliances;
  }

  private save(list: Stored[]): void {
    this.deps.file.write(`${JSON.stringify({ format: FORMAT, appliances: list }, null, 2)}\n`);
  }

  /** Every paired appliance, without its token. */
  list(): ApplianceView[] {
    return this.load().map(({ id, name, address, fingerprint, pairedAt }) => ({
      id,
      name,
      address,
      fingerprint,
      pairedAt,
    }));
  }

  /** Keeps a new pairing; pairing again with the same address replaces the earlier one. */
  add(paired: PairedAppliance, name: string): ApplianceView {
    const entry: Stored = {
      id: randomUUID(),
      name: checkedName(name),
      address: paired.address,
      fingerprint: paired.fingerprint,
      pairedAt: this.deps.now().toISOString(),
      deviceId: paired.deviceId,
      sealedToken: this.deps.box.seal(paired.token),
    };
    this.save([...this.load().filter((a) => a.address !== paired.address), entry]);
    const { deviceId: _device, sealedToken: _sealed, ...view } = entry;
    return view;
  }

  private find(id: string): Stored {
    const found = this.load().find((a) => a.id === id);
    if (!found) throw new AppError('not_found', `There is no paired appliance ${id}.`);
    return found;
  }

  /** The appliance's address, pin and token, for the proxy that talks to it. */
  connection(id: string): {
    address: string;
    fingerprint: string;
    token: string;
    deviceId: string;
  } {
    const found = this.find(id);
    let token: string;
    try {
      token = this.deps.box.open(found.sealedToken);
    } catch {
      throw new AppError(
        'wrong_key',
        `The token for ${found.name} (${found.address}) cannot be opened on this machine (it was sealed elsewhere, or the key changed): pair it again.`,
      );
    }
    return {
      address: found.address,
      fingerprint: found.fingerprint,
      token,
      deviceId: found.deviceId,
    };
  }

  /** Forgets an appliance (its token is gone from this machine; revoke it there too). */
  remove(id: string): void {
    this.find(id);
    this.save(this.load().filter((a) => a.id !== id));
  }
}
