import { Field, type FieldProps } from './Field';
import { Options } from './Options';

export interface SelectFieldProps<V extends string> extends Omit<FieldProps, 'children'> {
  value: V;
  options: ReadonlyArray<{ value: V; label: string }>;
  onValue: (value: V) => void;
}

/** A `Field` holding one drop-down list bound to a value among a few. */
export function SelectField<V extends string>({
  value,
  options,
  onValue,
  ...field
}: SelectFieldProps<V>) {
  return (
    <Field {...field}>
      {(aria) => (
        // A select only ever answers with one of its options' values, all of them a V.
        <select {...aria} value={value} onChange={(e) => onValue(e.target.value as V)}>
          <Options options={options} />
        </select>
      )}
    </Field>
  );
}
