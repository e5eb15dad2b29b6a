import { describe, expect, it } from 'vitest';
import { createMasker, MASK } from './mask.js';

const HEX = '3f9a1c7be0d24e5f8a6b9c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b';
const OTHER = 'c0ffee00' + 'deadbeef'.repeat(7);

describe('the masker', () => {
  it('masks a whole value, every time it appears', () => {
    const mask = createMasker([HEX]);
    expect(mask(`token=${HEX} again ${HEX}.`)).toBe(`token=${MASK} again ${MASK}.`);
  });

  it('masks a value in another case', () => {
    const mask = createMasker([HEX]);
    expect(mask(`Bearer ${HEX.toUpperCase()}`)).toBe(`Bearer ${MASK}`);
    const mixed = HEX.slice(0, 20).toUpperCase() + HEX.slice(20);
    expect(mask(`x ${mixed} y`)).toBe(`x ${MASK} y`);
  });

  it('masks a value stored in upper case when it appears in lower case', () => {
    expect(createMasker([HEX.toUpperCase()])(`k=${HEX}`)).toBe(`k=${MASK}`);
  });

  it('masks a 16-character piece of a value, and a longer one, wherever it sits', () => {
    const mask = createMasker([HEX]);
    expect(mask(`cut: ${HEX.slice(10, 26)}!`)).toBe(`cut: ${MASK}!`);
    expect(mask(`head ${HEX.slice(0, 40)}`)).toBe(`head ${MASK}`);
    expect(mask(`tail=${HEX.slice(30).toUpperCase()}`)).toBe(`tail=${MASK}`);
    expect(mask(`glued${HEX.slice(5, 30)}glued`)).toBe(`glued${MASK}glued`);
  });

  it('leaves a 15-character piece alone: too short to tell from other text', () => {
    const piece = HEX.slice(3, 18);
    expect(createMasker([HEX])(`id ${piece}`)).toBe(`id ${piece}`);
  });

  it('masks a URL value whole, its secret part wherever it appears, and not the public text alone', () => {
    const url = `postgresql://medianest:${HEX}@postgres:5432/medianest`;
    const mask = createMasker([url]);
    expect(mask(`connecting to ${url}`)).toBe(`connecting to ${MASK}`);
    expect(mask(`connecting to postgresql://medianest:${HEX}@db`)).toBe(
      `connecting to postgresql://medianest:${MASK}@db`,
    );
    expect(mask('connected to postgresql://medianest:@postgres:5432/medianest')).toBe(
      'connected to postgresql://medianest:@postgres:5432/medianest',
    );
    expect(mask(`password ${HEX.slice(8, 40)} leaked`)).toBe(`password ${MASK} leaked`);
  });

  it('masks a short value (8-15 characters) only whole, in any case', () => {
    const mask = createMasker(['Hunter2Pass']);
    expect(mask('pw=hunter2pass end')).toBe(`pw=${MASK} end`);
    expect(mask('pw=Hunter2Pa')).toBe('pw=Hunter2Pa');
  });

  it('masks a value with spaces whole', () => {
    const mask = createMasker(['correct horse battery staple']);
    expect(mask('said CORRECT HORSE BATTERY STAPLE twice')).toBe(`said ${MASK} twice`);
    expect(mask('a horse and a battery')).toBe('a horse and a battery');
  });

  it('masks several values, overlapping pieces as one mask', () => {
    const mask = createMasker([HEX, OTHER]);
    expect(mask(`${HEX}${OTHER}`)).toBe(MASK);
    expect(mask(`a=${OTHER.slice(0, 20)} b=${HEX.slice(40)}`)).toBe(`a=${MASK} b=${MASK}`);
  });

  it('ignores values shorter than 8 characters and returns text without secrets unchanged', () => {
    const mask = createMasker(['5432', HEX]);
    expect(mask('port 5432')).toBe('port 5432');
    const line = 'GET /api/health 200 1.2 ms deadbeef';
    expect(mask(line)).toBe(line);
    expect(createMasker([])('anything')).toBe('anything');
  });

  it('keeps non-ASCII text around a secret intact', () => {
    const mask = createMasker([HEX]);
    expect(mask(`été ${HEX} 🙂 İstanbul`)).toBe(`été ${MASK} 🙂 İstanbul`);
  });
});
