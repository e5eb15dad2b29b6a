import type { ApiClient } from '@contract';
import { withBuiltImages } from '../../state/image-build';
import { errorFor, type SettingsFormValues } from '../../state/settings-store-form';
import { ChoiceSet } from '../ui/Choice';
import { RadioChoices, type RadioChoicesProps } from './RadioChoices';
import { Field } from '../ui/Field';
import { SelectField } from '../ui/SelectField';
import type { FieldsProps } from './fields-props';
import { ImageCheck } from './ImageCheck';
import { SourceBuild } from './SourceBuild';
import { TextField } from './TextField';

/** Where the data lives. */
export function DataFields(props: FieldsProps) {
  return (
    <TextField
      fields={props}
      name="dataDir"
      label="Data folder"
      hint="An absolute folder such as /srv/medianest. Leave empty for a data folder inside the app's home. The databases, uploads and certificates live here."
      type="text"
      spellCheck={false}
      placeholder="Empty for the app's own folder"
    />
  );
}

const IMAGE_SOURCES: RadioChoicesProps<'imageSource'>['options'] = [
  {
    value: 'official',
    title: 'The official images',
    plain: 'Downloaded from Docker Hub the first time.',
  },
  {
    value: 'custom',
    title: 'My own images',
    plain: <>Images you built or loaded on this computer, or a mirror of the official ones.</>,
  },
];

const PULL_POLICIES: { value: SettingsFormValues['pullPolicy']; label: string }[] = [
  { value: 'missing', label: 'When missing on this computer' },
  { value: 'always', label: 'Always check for a newer one' },
  { value: 'never', label: 'Never (they must already be here)' },
];

/**
 * Which images run: the official ones, or references of the user's own (a local build, a mirror).
 * With a `client`, the user's own can be built here from a MediaNest checkout, and the images
 * chosen checked against what the stack needs of them before anything is saved.
 */
export function ImageFields(props: FieldsProps & { client?: ApiClient }) {
  const { values, errors, onChange, client } = props;
  return (
    <>
      <ChoiceSet field="imageSource" legend="Which images should run?">
        <RadioChoices fields={props} name="imageSource" options={IMAGE_SOURCES} />
      </ChoiceSet>
      {values.imageSource === 'custom' && (
        <Field
          id="images"
          label="Image per service"
          hint={
            <>
              One <code>service: image</code> per line (for example{' '}
              <code>backend: registry.local:5000/medianest/backend:1.2</code>), or the JSON of an
              images file. Services not named keep the official image.
            </>
          }
          error={errorFor(errors, 'images')}
        >
          {(aria) => (
            <textarea
              {...aria}
              rows={6}
              spellCheck={false}
              value={values.images}
              onChange={(e) => onChange('images', e.target.value)}
            />
          )}
        </Field>
      )}
      {values.imageSource === 'custom' && client && (
        <SourceBuild
          client={client}
          onBuilt={(built) => onChange('images', withBuiltImages(values.images, built))}
        />
      )}
      <SelectField
        id="pullPolicy"
        label="Download images"
        error={errorFor(errors, 'pullPolicy')}
        value={values.pullPolicy}
        options={PULL_POLICIES}
        onValue={(pullPolicy) => onChange('pullPolicy', pullPolicy)}
      />
      {client && <ImageCheck client={client} values={values} />}
    </>
  );
}
